import { chmodSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StackDefinition } from './definition.ts';
import { loopback, readStackSettings, type StackSettings } from './settings.ts';
import { down, up } from './stack.ts';

/**
 * A stack of a test's own, beside any other: a fresh state folder and free ports. Installing
 * Kafka or building MinIO takes minutes, so the state folder links to the components of an
 * existing install instead; `down --purge` removes the links, never what they point to.
 */

export interface PrivateStackOptions {
  /** The state folder of an installed stack (e.g. the repository's `.stack`). */
  installedDir: string;
  /** The installed components the private stack links to, e.g. ['kafka', 'minio']. */
  components: string[];
  /** How many free ports the definition needs; each port's next one is free too. */
  ports: number;
  /** Prefix of the temporary state folder's name. */
  name: string;
}

/** Where a private stack lives: its state folder and its free ports. */
export interface PrivatePlace {
  stateDir: string;
  ports: number[];
}

export interface PrivateStack {
  settings: StackSettings;
  stateDir: string;
  /** Stops every component and deletes the state folder. */
  stop(): Promise<void>;
}

/**
 * Ports nobody listens on now, two apart: Kafka's controller and MinIO's console take the
 * port after the one in the definition.
 */
async function freePortPairs(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await new Promise<number>((done) => {
      const server = createServer().listen(0, loopback, () => {
        const { port } = server.address() as { port: number };
        server.close(() => done(port));
      });
    });
    if (port < 65_000 && !ports.some((taken) => Math.abs(taken - port) < 2)) ports.push(port);
  }
  return ports;
}

/** A temporary state folder linking to the installed components, and free ports for the definition. */
export async function preparePrivateStack(options: PrivateStackOptions): Promise<PrivatePlace> {
  for (const component of options.components) {
    if (!existsSync(join(options.installedDir, component, '.installed'))) {
      throw new Error(`a private stack borrows the installed ${component} from ${options.installedDir}: install the stack there first`);
    }
  }
  const stateDir = mkdtempSync(join(tmpdir(), `${options.name}-`));
  // Run by root, PostgreSQL runs as "nobody", who must be able to reach its data folder inside.
  chmodSync(stateDir, 0o755);
  for (const component of options.components) symlinkSync(join(options.installedDir, component), join(stateDir, component));
  return { stateDir, ports: await freePortPairs(options.ports) };
}

/**
 * Prepares a private stack, builds its definition for that place and runs `up`. Only the
 * definition decides: no variable of this process overrides its ports or credentials.
 */
export async function startPrivateStack(define: (place: PrivatePlace) => StackDefinition, options: PrivateStackOptions): Promise<PrivateStack> {
  const place = await preparePrivateStack(options);
  const settings = readStackSettings(define(place), {});
  const stop = async () => {
    try {
      await down(settings, { purge: false });
    } finally {
      rmSync(place.stateDir, { recursive: true, force: true });
    }
  };
  try {
    await up(settings);
  } catch (error) {
    await stop();
    throw error;
  }
  return { settings, stateDir: place.stateDir, stop };
}
