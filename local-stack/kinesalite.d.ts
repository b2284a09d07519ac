// kinesalite ships no types; the part local-stack/kinesis-server.ts uses.
declare module 'kinesalite' {
  import type { Server } from 'node:http';

  interface KinesaliteOptions {
    /** LevelDB folder; in memory without it. */
    path?: string;
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
    shardLimit?: number;
  }

  export default function kinesalite(options?: KinesaliteOptions): Server;
}
