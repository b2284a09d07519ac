import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Health, healthy, installMarker, type Installable, unhealthy } from '../component.ts';
import { type Artifact, copyJars } from '../maven.ts';
import { clientEnvironment } from '../environment.ts';
import { CommandError, runLogged } from '../progress.ts';
import { loopback, type StackSettings } from '../settings.ts';

/**
 * Spark with Delta Lake on the stack's S3: the jars every session needs, fetched once so
 * that no session downloads anything at run time, and a health check.
 */

const healthScript = join(dirname(fileURLToPath(import.meta.url)), '../spark_health.py');

export function sparkJarsInstall(settings: StackSettings, jars: Artifact[]): Installable {
  const fingerprint = jars.map((a) => `${a.artifactId}:${a.version}`).join(' ');
  return {
    name: 'spark jars',
    isInstalled: () => installMarker.matches(settings.paths.jars, fingerprint),
    async install() {
      // Exactly these jars: Spark itself provides what delta-spark and hadoop-aws depend on.
      await copyJars(settings, {
        name: 'spark-jars',
        artifacts: jars,
        into: settings.paths.jars,
        transitive: false,
        logFile: join(settings.paths.logs, 'install-spark-jars.log'),
      });
      installMarker.write(settings.paths.jars, fingerprint);
    },
  };
}

/** hadoop-aws only works with the Hadoop it was built for; pyspark brings its own. */
export function checkPysparkHadoop(settings: StackSettings, jars: Artifact[]): void {
  const hadoopAws = jars.find((a) => a.groupId === 'org.apache.hadoop' && a.artifactId === 'hadoop-aws');
  if (!hadoopAws) return;
  const libDir = join(settings.paths.venv, 'lib');
  const pythonDir = readdirSync(libDir).find((name) => name.startsWith('python'));
  const jarsDir = pythonDir && join(libDir, pythonDir, 'site-packages/pyspark/jars');
  const clientApi = jarsDir && existsSync(jarsDir) ? readdirSync(jarsDir).find((name) => name.startsWith('hadoop-client-api-')) : undefined;
  if (clientApi !== `hadoop-client-api-${hadoopAws.version}.jar`) {
    throw new CommandError(`pyspark bundles ${clientApi ?? 'no hadoop-client-api jar'}, but hadoop-aws is pinned to ${hadoopAws.version}`);
  }
}

/** The environment of a Python process that runs Spark against the stack: this one's, the client variables, the venv's python. */
export function sparkEnvironment(settings: StackSettings): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...clientEnvironment(settings),
    PYSPARK_PYTHON: settings.paths.venvPython,
    PYSPARK_DRIVER_PYTHON: settings.paths.venvPython,
    // Spark would otherwise bind its driver to the machine's external address.
    SPARK_LOCAL_IP: loopback,
  };
}

/**
 * Starts a local Spark session with the stack's jars, writes a Delta table to
 * s3a://<bucket>/_health/delta on MinIO and reads it back. Takes 15-30 s (a JVM start).
 */
export async function checkSparkOnLake(settings: StackSettings): Promise<Health> {
  const logFile = join(settings.paths.logs, 'spark-check.log');
  try {
    await runLogged('Spark + Delta check', settings.paths.venvPython, [healthScript, '--bucket', settings.bucket, '--jars', settings.paths.jars], {
      cwd: settings.paths.root,
      env: sparkEnvironment(settings),
      logFile,
    });
    return healthy(`Delta table s3a://${settings.bucket}/_health/delta written and read`);
  } catch (error) {
    return unhealthy((error as Error).message);
  }
}
