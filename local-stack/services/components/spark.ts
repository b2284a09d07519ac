import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Health, healthy, installMarker, type Installable, unhealthy } from '../component.ts';
import { type Artifact, copyJars } from '../maven.ts';
import { CommandError, runLogged } from '../progress.ts';
import { clientEnvironment, loopback, type StackSettings } from '../settings.ts';

/**
 * The project's Python: a venv with PySpark, delta-spark, pytest, the SAM CLI and
 * cfn-lint, plus the jars a Spark session needs for Delta on s3a://, fetched once so
 * that no session downloads anything at run time.
 */

/** Must equal the Hadoop inside pyspark's own jars/ folder (checked after install). */
export const hadoopVersion = '3.3.4';

const sparkJarArtifacts: Artifact[] = [
  { groupId: 'io.delta', artifactId: 'delta-spark_2.12', version: '3.2.1' },
  { groupId: 'io.delta', artifactId: 'delta-storage', version: '3.2.1' },
  { groupId: 'org.apache.hadoop', artifactId: 'hadoop-aws', version: hadoopVersion },
  // the AWS SDK that hadoop-aws 3.3.4 was built against
  { groupId: 'com.amazonaws', artifactId: 'aws-java-sdk-bundle', version: '1.12.262' },
];

const requirementsFile = (settings: StackSettings) => join(settings.repoRoot, 'local-stack/requirements.txt');

export function pythonInstall(settings: StackSettings): Installable {
  const fingerprint = () =>
    `requirements ${createHash('sha256').update(readFileSync(requirementsFile(settings))).digest('hex').slice(0, 16)}`;
  const logFile = join(settings.paths.logs, 'install-python.log');
  return {
    name: 'python venv',
    isInstalled: () => existsSync(settings.paths.venvPython) && installMarker.matches(settings.paths.venv, fingerprint()),
    async install() {
      const python = process.env.PYTHON ?? 'python3';
      if (!existsSync(settings.paths.venvPython)) {
        await runLogged('create the venv', python, ['-m', 'venv', settings.paths.venv], { cwd: settings.repoRoot, logFile });
      }
      await runLogged('pip install -r local-stack/requirements.txt', settings.paths.venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '-r', requirementsFile(settings)], {
        cwd: settings.repoRoot,
        logFile,
        env: { ...process.env, PIP_CACHE_DIR: join(settings.paths.root, 'cache/pip') },
      });
      checkPysparkHadoop(settings);
      installMarker.write(settings.paths.venv, fingerprint());
    },
  };
}

/** hadoop-aws only works with the Hadoop it was built for; pyspark brings its own. */
function checkPysparkHadoop(settings: StackSettings): void {
  const libDir = join(settings.paths.venv, 'lib');
  const pythonDir = readdirSync(libDir).find((name) => name.startsWith('python'));
  const jarsDir = pythonDir && join(libDir, pythonDir, 'site-packages/pyspark/jars');
  const clientApi = jarsDir && existsSync(jarsDir) ? readdirSync(jarsDir).find((name) => name.startsWith('hadoop-client-api-')) : undefined;
  if (clientApi !== `hadoop-client-api-${hadoopVersion}.jar`) {
    throw new CommandError(`pyspark bundles ${clientApi ?? 'no hadoop-client-api jar'}, but hadoop-aws is pinned to ${hadoopVersion}`);
  }
}

export function sparkJarsInstall(settings: StackSettings): Installable {
  const fingerprint = sparkJarArtifacts.map((a) => `${a.artifactId}:${a.version}`).join(' ');
  return {
    name: 'spark jars',
    isInstalled: () => installMarker.matches(settings.paths.jars, fingerprint),
    async install() {
      // Exactly these jars: Spark itself provides what delta-spark and hadoop-aws depend on.
      await copyJars(settings, {
        name: 'spark-jars',
        artifacts: sparkJarArtifacts,
        into: settings.paths.jars,
        transitive: false,
        logFile: join(settings.paths.logs, 'install-spark-jars.log'),
      });
      installMarker.write(settings.paths.jars, fingerprint);
    },
  };
}

/** The environment of every Python process of the stack (Spark check, job service). */
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
    await runLogged('Spark + Delta check', settings.paths.venvPython, [join(settings.repoRoot, 'local-stack/services/spark_health.py')], {
      cwd: settings.repoRoot,
      env: sparkEnvironment(settings),
      logFile,
    });
    return healthy(`Delta table s3a://${settings.lakeBucket}/_health/delta written and read`);
  } catch (error) {
    return unhealthy((error as Error).message);
  }
}
