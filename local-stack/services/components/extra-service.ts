import { join } from 'node:path';
import { type Health, healthy, type Service, unhealthy } from '../component.ts';
import type { ExtraServiceDefinition } from '../definition.ts';
import { pidFile, startDetached } from '../processes.ts';
import { loopback, type StackSettings } from '../settings.ts';

/** One of the definition's own processes, checked by an HTTP health endpoint. */
export function extraService(settings: StackSettings, definition: ExtraServiceDefinition): Service {
  const logFile = join(settings.paths.logs, `${definition.name}.log`);
  const healthUrl = `http://${loopback}:${definition.port}${definition.healthPath}`;
  const answer = async () => fetch(healthUrl, { signal: AbortSignal.timeout(3_000) }).catch(() => undefined);

  return {
    name: definition.name,
    ports: [definition.port],
    logFile,
    pidFile: pidFile(settings.paths.pids, definition.name),
    startTimeoutMs: definition.startTimeoutMs ?? 60_000,
    isEnabled: () => definition.enabled !== false,

    async start() {
      const command = definition.command(settings);
      return startDetached({
        executable: command.executable,
        args: command.args,
        cwd: command.cwd,
        env: command.env,
        logFile,
        pidFile: pidFile(settings.paths.pids, definition.name),
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
