import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type Health, healthy, installMarker, type Installable, type Service, unhealthy } from '../component.ts';
import { pidFile, startDetached } from '../processes.ts';
import { runLogged, say } from '../progress.ts';
import { loopback, type StackSettings } from '../settings.ts';

/**
 * MinIO, the S3-compatible server, built from its Go module with the machine's Go
 * toolchain. MinIO publishes no semver tags, so the module is pinned by its
 * pseudo-version (the commit of 2026-02-12).
 */
export const minioModule = 'github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c';

export const minioBinary = (settings: StackSettings) => join(settings.paths.minio, 'bin/minio');

export function createStackS3Client(settings: StackSettings): S3Client {
  return new S3Client({
    endpoint: settings.s3Endpoint,
    region: settings.region,
    forcePathStyle: true,
    credentials: settings.credentials,
    maxAttempts: 1,
  });
}

export function minioInstall(settings: StackSettings): Installable {
  const goCache = join(settings.paths.root, 'cache/go');
  return {
    name: 'minio',
    cpuBound: true,
    isInstalled: () => installMarker.matches(settings.paths.minio, minioModule),
    async install() {
      await runLogged('build MinIO (3-5 minutes on 2 cores)', 'go', ['install', minioModule], {
        cwd: settings.paths.root,
        logFile: join(settings.paths.logs, 'install-minio.log'),
        env: {
          ...process.env,
          GOBIN: join(settings.paths.minio, 'bin'),
          // Module and build caches under .stack/, writable so that they can be deleted.
          GOMODCACHE: join(goCache, 'mod'),
          GOCACHE: join(goCache, 'build'),
          GOFLAGS: '-modcacherw',
          GOTOOLCHAIN: 'local',
          CGO_ENABLED: '0',
        },
      });
      installMarker.write(settings.paths.minio, minioModule);
      // 1-2 GB of sources and objects that only the build needed.
      rmSync(goCache, { recursive: true, force: true });
    },
  };
}

export function minioService(settings: StackSettings): Service {
  const logFile = join(settings.paths.logs, 'minio.log');
  const probeKey = '_health/stack-probe.txt';

  return {
    name: 'minio',
    ports: [settings.minioPort, settings.minioConsolePort],
    logFile,
    pidFile: pidFile(settings.paths.pids, 'minio'),
    startTimeoutMs: 60_000,
    isEnabled: () => true,

    async start() {
      return startDetached({
        executable: minioBinary(settings),
        args: [
          'server',
          join(settings.paths.data, 'minio'),
          '--address',
          `${loopback}:${settings.minioPort}`,
          '--console-address',
          `${loopback}:${settings.minioConsolePort}`,
          '--certs-dir',
          join(settings.paths.minio, 'certs'),
        ],
        cwd: settings.paths.minio,
        env: {
          ...process.env,
          MINIO_ROOT_USER: settings.credentials.accessKeyId,
          MINIO_ROOT_PASSWORD: settings.credentials.secretAccessKey,
          MINIO_REGION: settings.region,
        },
        logFile,
        pidFile: pidFile(settings.paths.pids, 'minio'),
      });
    },

    async isAnswering() {
      const response = await fetch(`${settings.s3Endpoint}/minio/health/live`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
      return response?.ok === true;
    },

    async provision() {
      const s3 = createStackS3Client(settings);
      try {
        await s3.send(new HeadBucketCommand({ Bucket: settings.bucket }));
      } catch {
        await s3.send(new CreateBucketCommand({ Bucket: settings.bucket }));
        say(`    created bucket ${settings.bucket}`);
      } finally {
        s3.destroy();
      }
    },

    async health(): Promise<Health> {
      const s3 = createStackS3Client(settings);
      try {
        const body = `probe ${Date.now()}`;
        await s3.send(new PutObjectCommand({ Bucket: settings.bucket, Key: probeKey, Body: body }));
        const read = await s3.send(new GetObjectCommand({ Bucket: settings.bucket, Key: probeKey }));
        const text = await read.Body?.transformToString();
        return text === body ? healthy(`bucket ${settings.bucket} read/write`) : unhealthy('read back a different object');
      } catch (error) {
        return unhealthy(`put/get in bucket ${settings.bucket} failed (${(error as Error).name}: ${(error as Error).message})`);
      } finally {
        s3.destroy();
      }
    },
  };
}
