import { Agent, request } from 'node:http';

export interface LoadOutcome {
  requests: number;
  records: number;
  elapsedMs: number;
  latenciesMs: number[];
  errors: { status: number; body: string }[];
}

/**
 * `clients` keep-alive connections, each with one request in flight, POSTing the bodies
 * round-robin until `totalRequests` have been answered. A non-2xx answer counts as an
 * error (its first one is kept for the failure message).
 */
export async function postLoad(options: {
  url: string;
  bodies: string[];
  recordsPerBody: number;
  totalRequests: number;
  clients: number;
  headers: Record<string, string>;
}): Promise<LoadOutcome> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.clients });
  const target = new URL(options.url);
  const latenciesMs: number[] = [];
  const errors: LoadOutcome['errors'] = [];
  let next = 0;
  const send = (body: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { ...options.headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (next < options.totalRequests) {
        const body = options.bodies[next++ % options.bodies.length]!;
        const sentAt = performance.now();
        const { status, text } = await send(body);
        latenciesMs.push(performance.now() - sentAt);
        if (status < 200 || status >= 300) errors.push({ status, body: text.slice(0, 300) });
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { requests: latenciesMs.length, records: latenciesMs.length * options.recordsPerBody, elapsedMs, latenciesMs, errors };
}
