import { describe, expect, it } from 'vitest';
import { loadEvent } from '../../fixtures/events.ts';
import { lambdaContext } from '../../fixtures/lambda-context.ts';

const { handler } = await import('../../../functions/merge-trigger/handler.ts');

describe('merge-trigger handler', () => {
  it('submits nothing for an object outside the landing prefix and reports it ignored', async () => {
    const result = await handler(loadEvent('merge-trigger-outside-prefix'), lambdaContext('MergeTriggerFunction'));
    expect(result).toEqual({
      submitted: [],
      ignored: ['quarantine/transactions/ingest.transactions/partition=0/00000000000000000100-00000000000000000103.ndjson'],
    });
  });
});
