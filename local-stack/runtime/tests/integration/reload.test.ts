import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../start-local-runtime.ts';
import { testStateDir, waitFor } from '../support.ts';

const template = `Transform: AWS::Serverless-2016-10-31
Resources:
  VersionFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      CodeUri: ./
      Handler: version.handler
      Events:
        Get:
          Type: HttpApi
          Properties: { Path: /version, Method: GET }
    Metadata:
      BuildMethod: esbuild
      BuildProperties: { Format: esm, EntryPoints: [version.ts], OutExtension: [.js=.mjs] }
`;
const handler = (version: string) => `const instanceId = crypto.randomUUID();\nexport const handler = async () => ({ version: '${version}', instanceId });\n`;

describe('code changes while the API runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runtime-reload-'));
  let runtime: LocalRuntime;

  beforeAll(async () => {
    writeFileSync(join(dir, 'template.yaml'), template);
    writeFileSync(join(dir, 'version.ts'), handler('one'));
    runtime = await startLocalRuntime({ templatePath: join(dir, 'template.yaml'), stateDir: testStateDir, apiPort: 0, invokePort: false, watch: true, onNotice: () => undefined, onLog: () => undefined });
  });
  afterAll(() => runtime.stop());

  const version = async () => ((await (await fetch(`${runtime.apiUrl}/version`)).json()) as { version: string; instanceId: string });

  it('rebuilds the function and serves the new code from fresh instances', async () => {
    const before = await version();
    expect(before.version).toBe('one');
    writeFileSync(join(dir, 'version.ts'), handler('two'));
    const after = await waitFor('the new code', async () => {
      const current = await version();
      return current.version === 'two' ? current : undefined;
    });
    expect(after.instanceId).not.toBe(before.instanceId);
  });
});
