import { createHash, randomBytes } from 'node:crypto';
import { existsSync, type FSWatcher, watch } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type BuiltFunction, buildFunction } from './build/build-function.ts';
import { type EnvVars, functionEnvironment, instanceEnvironment, localBucketNames, readEnvVars, unusedParameters } from './function-environment.ts';
import { defaultStateDir, defaultTemplatePath } from './settings.ts';
import { loadTemplate } from './template/load-template.ts';
import type { FunctionDefinition, TemplateModel } from './template/model.ts';
import { parseParameterOverrides } from './template/parameters.ts';
import { FunctionPool, type FunctionInstanceSpec, type InvokeOutcome } from './worker/function-pool.ts';
import { workerScript } from './build/runtime-scripts.ts';

export interface RuntimeOptions {
  /** The SAM template (default: template.yaml in the working directory). */
  templatePath?: string;
  /** A `sam local --env-vars` file; none by default (undefined or ''). */
  envVarsPath?: string;
  /** Built functions, the worker bundle and the bridges' state (default: .lambda-runtime in the working directory). */
  stateDir?: string;
  /** `K=V` items as `--parameter-overrides` takes them. */
  parameterOverrides?: string[] | Record<string, string>;
  /** Local names of template buckets (`{ LakeBucket: 'lake' }`), over those derived from env.json. */
  bucketNames?: Record<string, string>;
  /** Warm instances per function at most. */
  maxInstances?: number;
  /** Rebuild and reload a function when one of its source files changes. */
  watch?: boolean;
  /** Where function output goes; by default to stderr, prefixed with the function's name. */
  onLog?: (logicalId: string, text: string) => void;
  /** Runtime notices (builds, reloads, bridge activity). */
  onNotice?: (text: string) => void;
}

export function prefixedLogWriter(stream: NodeJS.WritableStream = process.stderr): (logicalId: string, text: string) => void {
  const partial = new Map<string, string>();
  return (logicalId, text) => {
    const lines = ((partial.get(logicalId) ?? '') + text).split('\n');
    partial.set(logicalId, lines.pop()!);
    for (const line of lines) stream.write(`${logicalId} | ${line}\n`);
  };
}

/** The template's functions, built and served by warm instance pools. */
export class FunctionRegistry {
  readonly model: TemplateModel;
  readonly envVars: EnvVars;
  readonly bucketNames: Record<string, string>;
  readonly region: string;
  readonly stateDir: string;
  readonly #options: RuntimeOptions;
  readonly #buildRoot: string;
  readonly #workerScript: string;
  readonly #pools = new Map<string, Promise<FunctionPool>>();
  readonly #watchers: FSWatcher[] = [];
  readonly #onLog: (logicalId: string, text: string) => void;
  readonly #notice: (text: string) => void;

  private constructor(model: TemplateModel, envVars: EnvVars, options: RuntimeOptions & { stateDir: string }, buildRoot: string, script: string) {
    this.model = model;
    this.stateDir = options.stateDir;
    this.envVars = envVars;
    this.#options = options;
    this.#buildRoot = buildRoot;
    this.#workerScript = script;
    this.#onLog = options.onLog ?? prefixedLogWriter();
    this.#notice = options.onNotice ?? ((text) => process.stderr.write(`runtime | ${text}\n`));
    this.bucketNames = localBucketNames(model.functions.values(), model.buckets, envVars, options.bucketNames);
    this.region = envVars.Parameters?.AWS_REGION ?? model.pseudo['AWS::Region']!;
    const unused = unusedParameters(model.functions.values(), envVars);
    if (unused.length > 0) this.#notice(`env.json Parameters ${unused.join(', ')}: no function of the template declares them; ignored, as sam local does`);
    // Instances are threads of this process, so they run its Node.js.
    const runtime = `nodejs${process.versions.node.split('.')[0]}.x`;
    const others = [...model.functions.values()].filter((definition) => definition.runtime !== runtime).map((definition) => `${definition.logicalId} (${definition.runtime})`);
    if (others.length > 0) this.#notice(`function instances run Node.js ${process.version}, not the runtime that ${others.join(', ')} declare; run the command line on Lambda's Node.js (--lambda-node, see the runtime's README)`);
  }

  static async create(options: RuntimeOptions = {}): Promise<FunctionRegistry> {
    const templatePath = resolve(options.templatePath ?? defaultTemplatePath());
    const stateDir = resolve(options.stateDir ?? defaultStateDir());
    const overrides = Array.isArray(options.parameterOverrides) ? parseParameterOverrides(options.parameterOverrides) : (options.parameterOverrides ?? {});
    const model = loadTemplate({ templatePath, parameterOverrides: overrides });
    const envVars = readEnvVars(options.envVarsPath || undefined);
    // The working directory's template.yaml builds into <state>/build, like `sam build` into .aws-sam/build; other templates get their own folder.
    const buildRoot = templatePath === defaultTemplatePath()
      ? join(stateDir, 'build')
      : join(stateDir, 'build', 'templates', createHash('sha256').update(templatePath).digest('hex').slice(0, 12));
    const script = await workerScript(stateDir);
    return new FunctionRegistry(model, envVars, { ...options, stateDir }, buildRoot, script);
  }

  /** A function by logical id, FunctionName, or ARN (with or without a qualifier). */
  find(reference: string): FunctionDefinition | undefined {
    let name = reference;
    if (reference.startsWith('arn:')) name = reference.split(':')[6] ?? '';
    else if (reference.includes(':')) name = reference.split(':')[0]!;
    for (const definition of this.model.functions.values()) {
      if (definition.logicalId === name || definition.functionName === name) return definition;
    }
    return undefined;
  }

  functionArn(definition: FunctionDefinition): string {
    return `arn:aws:lambda:${this.region}:${this.model.pseudo['AWS::AccountId']}:function:${definition.functionName}`;
  }

  pool(logicalId: string): Promise<FunctionPool> {
    let pool = this.#pools.get(logicalId);
    if (!pool) {
      const definition = this.model.functions.get(logicalId);
      if (!definition) return Promise.reject(new Error(`no function ${logicalId} in ${this.model.templatePath}`));
      pool = this.#createPool(definition);
      this.#pools.set(logicalId, pool);
      pool.catch(() => this.#pools.delete(logicalId));
    }
    return pool;
  }

  async invoke(logicalId: string, event: unknown, options: { requestId?: string; clientContext?: unknown } = {}): Promise<InvokeOutcome> {
    return (await this.pool(logicalId)).invoke(event, options);
  }

  /** Builds every function now (so a broken one is reported at start) and starts one instance of each. */
  async prepareAll(): Promise<void> {
    await Promise.all([...this.model.functions.keys()].map(async (logicalId) => {
      const error = await (await this.pool(logicalId)).warm();
      // An init error is also what each invocation answers, as in Lambda; say it now too.
      if (error) this.#notice(`${logicalId}: init failed: ${error.errorType}: ${error.errorMessage}`);
    }));
  }

  /** Ends every function instance that is running an invocation (FunctionPool.crashRunning); how many, per function. */
  async crashRunningInstances(): Promise<Map<string, number>> {
    const crashed = new Map<string, number>();
    for (const [logicalId, pool] of this.#pools) {
      const count = await pool.then((ready) => ready.crashRunning()).catch(() => 0);
      if (count > 0) crashed.set(logicalId, count);
    }
    return crashed;
  }

  async stop(): Promise<void> {
    for (const watcher of this.#watchers) watcher.close();
    const pools = await Promise.allSettled(this.#pools.values());
    await Promise.all(pools.flatMap((pool) => (pool.status === 'fulfilled' ? [pool.value.stop()] : [])));
  }

  async #createPool(definition: FunctionDefinition): Promise<FunctionPool> {
    const started = performance.now();
    const built = await buildFunction(definition, this.#buildRoot);
    if (built.rebuilt) this.#notice(`${definition.logicalId}: built in ${Math.round(performance.now() - started)} ms into ${built.taskRoot}`);
    const environment = functionEnvironment(definition, this.envVars);
    if (environment.ignored.length > 0) {
      this.#notice(`${definition.logicalId}: env.json sets ${environment.ignored.join(', ')}, which the template does not declare for it; ignored, as sam local does`);
    }
    for (const [name, value] of Object.entries(environment.variables)) {
      if (value.includes('{{resolve:')) this.#notice(`${definition.logicalId}: ${name} is a dynamic reference (${value}); give it a local value in env.json`);
    }
    const pool = new FunctionPool(this.#spec(definition, built), {
      workerScript: this.#workerScript,
      maxInstances: this.#options.maxInstances ?? 4,
      onLog: this.#onLog,
    });
    if (this.#options.watch) this.#watch(definition, built, pool);
    return pool;
  }

  #spec(definition: FunctionDefinition, built: BuiltFunction): FunctionInstanceSpec {
    const environment = functionEnvironment(definition, this.envVars);
    const now = new Date();
    const date = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${String(now.getUTCDate()).padStart(2, '0')}`;
    const env: Record<string, string> = {
      ...instanceEnvironment(definition, environment, { taskRoot: built.taskRoot, runtimeDir: dirname(this.#workerScript), logStreamName: `${date}/[$LATEST]${randomBytes(16).toString('hex')}` }),
      // Libraries treat this as `sam local` (Powertools Tracer, for one, stays off).
      AWS_SAM_LOCAL: 'true',
    };
    return {
      logicalId: definition.logicalId,
      functionName: definition.functionName,
      handlerFile: built.handlerFile,
      exportName: built.exportName,
      taskRoot: built.taskRoot,
      timeoutSeconds: definition.timeoutSeconds,
      memorySize: definition.memorySize,
      invokedFunctionArn: this.functionArn(definition),
      env,
    };
  }

  #watch(definition: FunctionDefinition, initial: BuiltFunction, pool: FunctionPool): void {
    let timer: NodeJS.Timeout | undefined;
    let building = false;
    let inputs = new Set(initial.inputs);
    const rebuild = async () => {
      if (building) return;
      building = true;
      const started = performance.now();
      try {
        const built = await buildFunction(definition, this.#buildRoot);
        if (built.rebuilt) {
          inputs = new Set(built.inputs);
          pool.reload(this.#spec(definition, built));
          this.#notice(`${definition.logicalId}: code changed; rebuilt in ${Math.round(performance.now() - started)} ms, instances reloaded`);
        }
      } catch (error) {
        this.#notice(`${definition.logicalId}: rebuild failed, keeping the previous code: ${(error as Error).message}`);
      } finally {
        building = false;
      }
    };
    const directories = new Set(initial.inputs.map((input) => dirname(input)));
    for (const directory of directories) {
      if (!existsSync(directory)) continue;
      const watcher = watch(directory, (_event, file) => {
        if (file && !inputs.has(join(directory, file.toString()))) return;
        clearTimeout(timer);
        timer = setTimeout(rebuild, 150);
      });
      this.#watchers.push(watcher);
    }
  }
}
