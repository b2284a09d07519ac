import { execFileSync } from 'node:child_process';
import { startLocalRuntime, type LocalRuntime } from '@ledgerflow/lambda-runtime';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localRuntimeOptions, runCli, waitFor, watchEventIds } from '../fixtures/local-runtime.ts';

/** Debian's chromium (tools/ensure-chromium.sh installs it; `npm test` runs that first). */
function chromiumPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('chromium not found: run tools/ensure-chromium.sh');
  }
}

// A valid claim, as in README's curl example; the id is new on every run.
const claim = (claimId: string) => ({
  claimId, policyId: 'POL-1', lossType: 'water', status: 'reported', lossDate: '2026-02-01', reportedAt: '2026-02-02T09:00:00Z',
  claimedAmount: '1200.00', currency: 'GBP', updatedAt: '2026-02-02T09:00:00Z',
});

describe('/docs in a headless browser (Swagger UI over the template\'s /openapi.json)', () => {
  let runtime: LocalRuntime;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    [runtime, browser] = await Promise.all([
      startLocalRuntime({ ...localRuntimeOptions, apiPort: 0, invokePort: false, onNotice: () => undefined, onLog: () => undefined }),
      chromium.launch({ executablePath: chromiumPath(), headless: true }),
    ]);
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
  });

  it('authorises with a local token and sends one claims batch from the page: 202 with a batch id, and the record reaches Kafka', async () => {
    const token = await runCli(['token']);
    expect(token.code, token.stderr).toBe(0);
    const kafka = await watchEventIds('ingest.claims');
    try {
      await page.goto(`${runtime.apiUrl}/docs`);
      await page.locator('.btn.authorize').first().click();
      await page.locator('.auth-container input').fill(token.stdout.trim());
      await page.locator('.auth-btn-wrapper .btn.authorize').click();
      await page.locator('.auth-btn-wrapper .btn-done').click();

      const operation = page.locator('#operations-default-postRecords');
      await operation.locator('.opblock-summary').click();
      await operation.locator('.try-out__btn').click();
      await operation.locator('tr[data-param-name="source"] select').selectOption('claims');
      const idempotencyKey = `docs-page-${Date.now()}`;
      await operation.locator('tr[data-param-name="Idempotency-Key"] input').fill(idempotencyKey);
      await operation.locator('.body-param__text').fill(JSON.stringify([claim(`CLM-DOCS-${Date.now()}`)]));
      await operation.locator('.btn.execute').click();

      const response = operation.locator('.live-responses-table .response');
      await expect.poll(() => response.locator('.response-col_status').textContent().then((text) => text?.trim()), { timeout: 20_000 }).toBe('202');
      const sent = (await operation.locator('.curl-command').textContent()) ?? '';
      expect(sent).toContain(`Idempotency-Key: ${idempotencyKey}`);
      expect(sent).toContain('Authorization: Bearer ');
      const body = JSON.parse((await response.locator('.response-col_description pre').first().textContent()) ?? '');
      expect(body).toMatchObject({ source: 'claims', topic: 'ingest.claims', accepted: 1, batchId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      await waitFor('the record in Kafka', () => (body.eventIds.every((id: string) => kafka.seen.has(id)) ? true : undefined), 20_000);
    } finally {
      await kafka.close();
    }
  });
});
