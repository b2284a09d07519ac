import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { RunningServer } from '../api/api-server.ts';
import { invokeAsync } from '../async-invoke.ts';
import type { FunctionRegistry } from '../function-registry.ts';
import { isLoopbackHost } from '../settings.ts';

export interface InvokeServerOptions {
  registry: FunctionRegistry;
  host?: string;
  port?: number;
  asyncRetryBaseDelayMs?: number;
  onNotice: (text: string) => void;
}

const invokePath = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * The Lambda Invoke API on loopback, so `@aws-sdk/client-lambda` with
 * `endpoint: http://127.0.0.1:3001` invokes the template's functions. It does not check the
 * SDK's signatures, so it never listens beyond loopback.
 */
export async function startInvokeServer(options: InvokeServerOptions): Promise<RunningServer> {
  const { registry } = options;
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) throw new Error(`the Lambda Invoke API takes unsigned requests, so it listens on loopback only, not on ${host}`);
  const pending = new Set<Promise<unknown>>();

  const handle = async (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = invokePath.exec(url.pathname);
    const requestId = randomUUID();
    const reply = (status: number, headers: Record<string, string>, payload: string) => {
      res.writeHead(status, { 'x-amzn-requestid': requestId, 'content-length': String(Buffer.byteLength(payload)), ...headers });
      res.end(payload);
    };
    const serviceError = (status: number, type: string, message: string) =>
      reply(status, { 'content-type': 'application/json', 'x-amzn-errortype': type }, JSON.stringify({ Type: 'User', message }));

    if (req.method !== 'POST' || !match) return serviceError(404, 'UnknownOperationException', `${req.method} ${url.pathname} is not an operation of the local Invoke API`);
    const name = decodeURIComponent(match[1]!);
    const qualifier = url.searchParams.get('Qualifier') ?? (name.split(':').length === 2 || name.split(':').length === 8 ? name.split(':').pop() : undefined);
    const definition = registry.find(name);
    if (!definition || (qualifier && qualifier !== '$LATEST')) {
      return serviceError(404, 'ResourceNotFoundException', `Function not found: ${definition ? `${registry.functionArn(definition)}:${qualifier}` : name}`);
    }
    let event: unknown = {};
    if (body.length > 0) {
      try {
        event = JSON.parse(body.toString('utf8'));
      } catch (error) {
        return serviceError(400, 'InvalidRequestContentException', `Could not parse request body into json: ${(error as Error).message}`);
      }
    }
    let clientContext: unknown;
    const clientContextHeader = req.headers['x-amz-client-context'];
    if (typeof clientContextHeader === 'string') {
      try {
        clientContext = JSON.parse(Buffer.from(clientContextHeader, 'base64').toString('utf8'));
      } catch {
        return serviceError(400, 'InvalidRequestContentException', 'X-Amz-Client-Context is not base64-encoded JSON');
      }
    }
    const invocationType = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    switch (invocationType) {
      case 'DryRun':
        return reply(204, { 'x-amz-executed-version': '$LATEST' }, '');
      case 'Event': {
        const task = invokeAsync(registry, definition.logicalId, event, { requestId, baseDelayMs: options.asyncRetryBaseDelayMs, onNotice: options.onNotice });
        pending.add(task);
        task.finally(() => pending.delete(task)).catch(() => undefined);
        return reply(202, { 'x-amz-executed-version': '$LATEST' }, '');
      }
      case 'RequestResponse': {
        const outcome = await registry.invoke(definition.logicalId, event, { requestId, clientContext });
        const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' };
        if (String(req.headers['x-amz-log-type'] ?? 'None') === 'Tail') headers['x-amz-log-result'] = Buffer.from(outcome.logTail).toString('base64');
        if (!outcome.ok) headers['x-amz-function-error'] = 'Unhandled';
        return reply(200, headers, JSON.stringify(outcome.ok ? outcome.result : outcome.error));
      }
      default:
        return serviceError(400, 'InvalidParameterValueException', `X-Amz-Invocation-Type ${invocationType} is not RequestResponse, Event or DryRun`);
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, Buffer.concat(chunks), res).catch((error: unknown) => {
        options.onNotice(`invoke endpoint error: ${(error as Error).message}`);
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceException' });
          res.end(JSON.stringify({ Type: 'Service', message: (error as Error).message }));
        }
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3001, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // Asynchronous invocations already accepted (202) are finished, not dropped.
      await Promise.allSettled(pending);
    },
  };
}
