import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The Lambda entry points: `functions/<name>/handler.ts`, each exporting `handler`. */
export const FUNCTION_NAMES = [
  'convert',
  'results',
  'files',
  'on-upload',
  'on-dead-letter',
  'authorizer',
  'reconciler',
  'deliver-webhook',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/**
 * Modules no Lambda may carry: the native image, inference and video stack belongs to the
 * workers. Marking them external means a stray import fails the bundle guard (test/infra)
 * instead of silently shipping hundreds of megabytes of binaries that cannot load on arm64.
 */
export const WORKER_ONLY_MODULES = [
  'sharp',
  'onnxruntime-node',
  'onnxruntime-common',
  '@imgly/background-removal-node',
  'ffmpeg-static',
  'fluent-ffmpeg',
] as const;

export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

export interface NodeFunctionProps {
  /** Which `functions/<name>/handler.ts` to bundle. */
  readonly name: FunctionName;
  readonly description: string;
  /** Environment the handler's env schema reads; `NODE_OPTIONS` is added. */
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  /** Default 10 seconds: the API calls a handful of AWS APIs and answers. */
  readonly timeout?: Duration;
  /** Default 512 MB (more memory is more CPU for multipart parsing and hashing). */
  readonly memorySize?: number;
  /** Write esbuild's metafile beside the bundle (read by the bundle-guard test). Default false. */
  readonly metafile?: boolean;
}

/**
 * The house Lambda: Node 22 on arm64, an ESM bundle built by the local esbuild (never Docker),
 * minified with external source maps, JSON logs into a log group whose retention is explicit.
 * The AWS SDK is bundled so each function runs the SDK version the tests ran.
 */
export class NodeFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = new NodejsFunction(this, 'Function', {
      description: props.description,
      entry: join(PROJECT_ROOT, 'functions', props.name, 'handler.ts'),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      timeout: props.timeout ?? Duration.seconds(10),
      memorySize: props.memorySize ?? 512,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        platform: 'node',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        externalModules: [...WORKER_ONLY_MODULES],
        metafile: props.metafile ?? false,
        // CommonJS dependencies (busboy, for one) call require(); ESM output has none of its own.
        banner:
          "import { createRequire as cutoutCreateRequire } from 'node:module'; const require = cutoutCreateRequire(import.meta.url);",
      },
    });
  }
}
