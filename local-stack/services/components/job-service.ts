import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Health, healthy, type Service, unhealthy } from '../component.ts';
import { pidFile, startDetached } from '../processes.ts';
import { loopback, type StackSettings } from '../settings.ts';
import { sparkEnvironment } from './spark.ts';

/**
 * The Spark job service (spark/ledgerflow_spark/job_service.py): the local stand-in for
 * EMR Serverless that the merge trigger submits to. Part of the stack only once that
 * module exists in the checkout.
 */
export function jobService(settings: StackSettings): Service {
  const logFile = join(settings.paths.logs, 'job-service.log');
  const healthUrl = `${settings.jobServiceUrl}/health`;

  const answer = async () => fetch(healthUrl, { signal: AbortSignal.timeout(3_000) }).catch(() => undefined);

  return {
    name: 'job-service',
    ports: [settings.jobServicePort],
    logFile,
    pidFile: pidFile(settings.paths.pids, 'job-service'),
    // a JVM and a Spark session start before the service answers
    startTimeoutMs: 180_000,
    isEnabled: () => existsSync(join(settings.repoRoot, 'spark/ledgerflow_spark/job_service.py')),

    async start() {
      return startDetached({
        executable: settings.paths.venvPython,
        args: ['-m', 'ledgerflow_spark.job_service', '--host', loopback, '--port', String(settings.jobServicePort)],
        cwd: settings.repoRoot,
        env: { ...sparkEnvironment(settings), PYTHONPATH: join(settings.repoRoot, 'spark'), PYTHONUNBUFFERED: '1' },
        logFile,
        pidFile: pidFile(settings.paths.pids, 'job-service'),
      });
    },

    isAnswering: async () => (await answer())?.ok === true,

    async health(): Promise<Health> {
      const response = await answer();
      if (!response) return unhealthy(`no answer from ${healthUrl}`);
      return response.ok ? healthy(`GET ${healthUrl} ${response.status}`) : unhealthy(`GET ${healthUrl} answered ${response.status}`);
    },
  };
}
