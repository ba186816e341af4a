import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ENV } from '../../core/config/resources.ts';
import { invalidField } from '../../core/errors.ts';
import { type ModelAliases, parseModelAliases } from '../../core/models/aliases.ts';

export type ExecutionProviderName = 'cpu' | 'cuda';

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

const booleanText = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

/**
 * Reads the model settings from an environment (entry points pass `process.env`).
 * @throws CutoutError INVALID_REQUEST naming the variable
 */
export function modelSettingsFromEnv(env: Record<string, string | undefined>): ModelSettings {
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    cacheDir: resolve(read(MODEL_ENV.dir) ?? defaultModelDir(env)),
    aliases: parseModelAliases(read(MODEL_ENV.aliases), MODEL_ENV.aliases),
    providers: parseProviders(read(MODEL_ENV.providers)),
    intraOpThreads: parseWith(
      MODEL_ENV.threads,
      z.coerce.number().int().min(1).max(256),
      read(MODEL_ENV.threads),
    ),
    allowDownload:
      parseWith(MODEL_ENV.download, booleanText, read(MODEL_ENV.download)?.toLowerCase()) ?? true,
    mirrorUrl: parseWith(MODEL_ENV.mirror, z.url(), read(MODEL_ENV.mirror)),
  };
}

/** `$XDG_CACHE_HOME/cutout/models`, else `~/.cache/cutout/models`. */
export function defaultModelDir(env: Record<string, string | undefined>): string {
  const xdg = env.XDG_CACHE_HOME?.trim();
  const base = xdg ? xdg : join(env.HOME?.trim() || homedir(), '.cache');
  return join(base, 'cutout', 'models');
}

function parseProviders(text: string | undefined): ExecutionProviderName[] {
  if (text === undefined) return ['cpu'];
  const names = text.split(',').map((name) => name.trim().toLowerCase());
  const providers: ExecutionProviderName[] = [];
  for (const name of names) {
    if (name !== 'cpu' && name !== 'cuda') {
      throw invalidField(MODEL_ENV.providers, `unknown execution provider "${name}" (cpu, cuda)`);
    }
    if (!providers.includes(name)) providers.push(name);
  }
  return providers;
}

function parseWith<T>(
  name: string,
  schema: z.ZodType<T>,
  value: string | undefined,
): T | undefined {
  if (value === undefined) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw invalidField(name, `"${value}" is not valid: ${parsed.error.issues[0]?.message ?? ''}`);
  }
  return parsed.data;
}
