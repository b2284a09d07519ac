import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installMarker, type Installable } from '../component.ts';
import { runLogged } from '../progress.ts';
import type { StackSettings } from '../settings.ts';

/** A venv with the definition's pip requirements, redone when the file changes. */
export function pythonInstall(settings: StackSettings, requirementsFile: string, afterInstall: () => void): Installable {
  const fingerprint = () => `requirements ${createHash('sha256').update(readFileSync(requirementsFile)).digest('hex').slice(0, 16)}`;
  const logFile = join(settings.paths.logs, 'install-python.log');
  const cwd = settings.paths.root;
  return {
    name: 'python venv',
    isInstalled: () => existsSync(settings.paths.venvPython) && installMarker.matches(settings.paths.venv, fingerprint()),
    async install() {
      const python = process.env.PYTHON ?? 'python3';
      if (!existsSync(settings.paths.venvPython)) {
        await runLogged('create the venv', python, ['-m', 'venv', settings.paths.venv], { cwd, logFile });
      }
      await runLogged(
        `pip install -r ${requirementsFile}`,
        settings.paths.venvPython,
        ['-m', 'pip', 'install', '--disable-pip-version-check', '-r', requirementsFile],
        { cwd, logFile, env: { ...process.env, PIP_CACHE_DIR: join(settings.paths.root, 'cache/pip') } },
      );
      afterInstall();
      installMarker.write(settings.paths.venv, fingerprint());
    },
  };
}
