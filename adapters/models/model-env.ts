import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { booleanFlag, parseConfig } from '../../core/config/contract.ts';
import { ENV } from '../../core/config/resources.ts';
import { isCutoutError } from '../../core/errors.ts';
import { type ModelAliases, parseModelAliases } from '../../core/models/aliases.ts';

/**
 * `webgpu` is built into onnxruntime-node's Linux and Windows binaries (no download); `cuda` needs
 * the provider libraries that `npm ci` fetches unless ONNXRUNTIME_NODE_INSTALL=skip.
 */
export const EXECUTION_PROVIDERS = ['cpu', 'cuda', 'webgpu'] as const;
export type ExecutionProviderName = (typeof EXECUTION_PROVIDERS)[number];

/** Everything the model loader and the ONNX sessions are configured by. */
export interface ModelSettings {
  /** Where weights are cached (`CUTOUT_MODEL_DIR`). */
  readonly cacheDir: string;
  /** Requested id -> manifest id (`CUTOUT_MODEL_ALIASES`). */
  readonly aliases: ModelAliases;
  /** Execution providers in order of preference (`CUTOUT_ORT_PROVIDERS`, default `cpu`). */
  readonly providers: readonly ExecutionProviderName[];
  /** ONNX Runtime intra-op threads (`CUTOUT_ORT_THREADS`); undefined lets ORT choose. */
  readonly intraOpThreads: number | undefined;
  /** Whether missing weights may be fetched from the network (`CUTOUT_MODEL_DOWNLOAD`, default true). */
  readonly allowDownload: boolean;
  /**
   * Replaces the origin of every https download URL, keeping the file name
   * (`CUTOUT_MODEL_MIRROR`): an internal mirror, an S3 website, or a test server.
   */
  readonly mirrorUrl: string | undefined;
}

/** Environment variables read here; the first two are shared names from core/config. */
export const MODEL_ENV = {
  dir: ENV.modelDir,
  aliases: ENV.modelAliases,
  providers: 'CUTOUT_ORT_PROVIDERS',
  threads: 'CUTOUT_ORT_THREADS',
  download: 'CUTOUT_MODEL_DOWNLOAD',
  mirror: 'CUTOUT_MODEL_MIRROR',
} as const;

const providerList = z.string().transform((text, ctx) => {
  const providers: ExecutionProviderName[] = [];
  for (const raw of text.split(',')) {
    const name = EXECUTION_PROVIDERS.find((known) => known === raw.trim().toLowerCase());
    if (name === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown execution provider "${raw.trim()}" (${EXECUTION_PROVIDERS.join(', ')})`,
      });
      return z.NEVER;
    }
    if (!providers.includes(name)) providers.push(name);
  }
  return providers;
});

const aliasList = z.string().transform((text, ctx) => {
  try {
    return parseModelAliases(text, MODEL_ENV.aliases);
  } catch (error) {
    // The alias parser leads with the variable, which the configuration error names already.
    const problem = isCutoutError(error) ? error.problem : String(error);
    ctx.addIssue({ code: 'custom', message: problem.replace(`${MODEL_ENV.aliases}: `, '') });
    return z.NEVER;
  }
});

/** Every variable the model loader and the ONNX sessions read (the worker, the CLI, the stack). */
export const modelEnvShape = {
  [MODEL_ENV.dir]: z
    .string()
    .optional()
    .describe('Where weights are cached; unset: $XDG_CACHE_HOME/cutout/models or ~/.cache.'),
  [MODEL_ENV.aliases]: aliasList
    .optional()
    .describe('Model aliases, `requested=served` pairs separated by commas.'),
  [MODEL_ENV.providers]: providerList
    .default(['cpu'])
    .describe(
      'ONNX Runtime execution providers in order of preference: cpu, cuda, webgpu (end the list with cpu to fall back to it).',
    ),
  [MODEL_ENV.threads]: z.coerce
    .number()
    .int()
    .min(1)
    .max(256)
    .optional()
    .describe('ONNX Runtime intra-op threads; unset: ONNX Runtime chooses.'),
  [MODEL_ENV.download]: booleanFlag(true).describe(
    'Whether missing weights may be fetched from the network.',
  ),
  [MODEL_ENV.mirror]: z
    .url()
    .optional()
    .describe('Replaces the origin of every weights URL (an internal mirror).'),
};

/**
 * Reads the model settings from an environment (entry points pass `process.env`).
 * @throws CutoutError CONFIGURATION naming every bad variable
 */
export function modelSettingsFromEnv(env: Record<string, string | undefined>): ModelSettings {
  const e = parseConfig(modelEnvShape, env);
  return {
    cacheDir: resolve(e[MODEL_ENV.dir] ?? defaultModelDir(env)),
    aliases: e[MODEL_ENV.aliases] ?? new Map(),
    providers: e[MODEL_ENV.providers],
    intraOpThreads: e[MODEL_ENV.threads],
    allowDownload: e[MODEL_ENV.download],
    mirrorUrl: e[MODEL_ENV.mirror],
  };
}

/** `$XDG_CACHE_HOME/cutout/models`, else `~/.cache/cutout/models`. */
export function defaultModelDir(env: Record<string, string | undefined>): string {
  const xdg = env.XDG_CACHE_HOME?.trim();
  const base = xdg ? xdg : join(env.HOME?.trim() || homedir(), '.cache');
  return join(base, 'cutout', 'models');
}
