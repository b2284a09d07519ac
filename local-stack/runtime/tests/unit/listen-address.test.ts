import { describe, expect, it } from 'vitest';
import { assertApiHostIsSafe, startApiServer } from '../../api/api-server.ts';
import type { FunctionRegistry } from '../../function-registry.ts';
import { startInvokeServer } from '../../invoke-endpoint/invoke-server.ts';
import { defaultLocalJwtSecret, isLoopbackHost } from '../../settings.ts';

// The guards run before the servers touch their registry, so none is needed.
const noRegistry = {} as FunctionRegistry;

describe('listen addresses of the local endpoints', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])('counts %s as loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['0.0.0.0', '::', '192.168.1.20', '10.0.0.1', 'example.test', '128.0.0.1', '127.0.0.1.example.test'])('counts %s as reachable from other machines', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });

  it('refuses an API host beyond loopback with the default JWT secret, naming LOCAL_JWT_SECRET', async () => {
    expect(() => assertApiHostIsSafe('0.0.0.0', defaultLocalJwtSecret)).toThrow(/set LOCAL_JWT_SECRET/);
    await expect(startApiServer({ registry: noRegistry, host: '192.168.1.20', jwtSecret: defaultLocalJwtSecret })).rejects.toThrow(/LOCAL_JWT_SECRET/);
  });

  it('allows an API host beyond loopback with a secret of ones own, and loopback with the default', () => {
    expect(() => assertApiHostIsSafe('0.0.0.0', 'a-secret-of-my-own-0123')).not.toThrow();
    expect(() => assertApiHostIsSafe('127.0.0.1', defaultLocalJwtSecret)).not.toThrow();
  });

  it('keeps the Invoke API on loopback whatever the secret', async () => {
    await expect(startInvokeServer({ registry: noRegistry, host: '0.0.0.0', onNotice: () => undefined })).rejects.toThrow(/loopback only, not on 0\.0\.0\.0/);
  });
});
