import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import type { ModelGenerators } from '../../adapters/models/generated-model.ts';
import { modelSettingsFromEnv } from '../../adapters/models/model-env.ts';
import { createModelStore, type ModelStore } from '../../adapters/models/model-store.ts';
import { MODEL_MANIFEST } from '../../core/models/bundled-manifest.ts';
import { isPermissive } from '../../core/models/licence.ts';
import type { ModelEntry, ModelManifest } from '../../core/models/manifest.schema.ts';
import { resolveModel } from '../../core/models/resolve-model.ts';
import { applyModelDefaults } from '../model-defaults.ts';

/**
 * The models `cutout models pull` may generate: development tools, loaded on use (the writer
 * needs protobufjs, a dev dependency the worker image does not install).
 */
const DEV_GENERATORS: ModelGenerators = {
  tiny: async () => (await import('../../adapters/onnx/tiny-model-writer.ts')).encodeTinyModel(),
};

/** `cutout models list|pull|verify`: what the manifest holds and what the cache has. */
export function modelsCommand(
  manifest: ModelManifest = MODEL_MANIFEST,
  env: Record<string, string | undefined> = process.env,
): Command {
  const open = () => {
    const settings = modelSettingsFromEnv(env);
    return { settings, store: createModelStore(settings, { generators: DEV_GENERATORS }) };
  };
  const command = new Command('models').description(
    'List, download and verify model weights (cache: CUTOUT_MODEL_DIR)',
  );

  command
    .command('list')
    .description('Show every model in the manifest, its licence and whether it is cached')
    .action(async () => {
      const { settings, store } = open();
      const rows = [['id', 'input', 'licence', 'cached', 'path']];
      for (const entry of manifest.models) {
        const cached = await store.isCached(entry);
        const id = `${entry.id}${entry.default ? ' (default)' : ''}`;
        const size = `${entry.input.size}x${entry.input.size}`;
        // commercialSafeOnly deployments refuse what is marked here (core/models/licence.ts).
        const licence = isPermissive(entry.licence.spdx)
          ? entry.licence.spdx
          : `${entry.licence.spdx} (not permissive)`;
        rows.push([id, size, licence, cached ? 'yes' : 'no', store.pathOf(entry)]);
      }
      process.stdout.write(`${table(rows)}\n`);
      process.stdout.write(`cache: ${settings.cacheDir}\n`);
      // The aliases `cutout remove` and `npm start` would use, the offline fallback included.
      const { settings: effective, replaced } = await applyModelDefaults(settings, env);
      for (const [from, to] of effective.aliases) {
        const why = replaced.includes(from) ? ` (${from} is not cached: the offline fallback)` : '';
        process.stdout.write(`alias: ${from} -> ${to}${why}\n`);
      }
    });

  command
    .command('pull')
    .description('Download (or unpack, or generate) weights into the cache and verify them')
    .argument('<ids...>', 'manifest ids')
    .action(async (ids: string[]) => {
      const { store } = open();
      const entries = ids.map((id) => resolveModel(manifest, new Map(), id).entry);
      for (const entry of entries) {
        const path = await pull(store, entry);
        process.stdout.write(`${entry.id}: ${path}\n`);
      }
    });

  command
    .command('verify')
    .description('Check cached weights against the manifest checksums (all cached when no id)')
    .argument('[ids...]', 'manifest ids')
    .action(async (ids: string[]) => {
      const { store } = open();
      const named = ids.length > 0;
      const entries = named
        ? ids.map((id) => resolveModel(manifest, new Map(), id).entry)
        : manifest.models;
      let bad = 0;
      for (const entry of entries) {
        const check = await store.verify(entry);
        if (check === undefined) {
          if (named) bad += 1;
          if (named) process.stdout.write(`${entry.id}: not cached (${store.pathOf(entry)})\n`);
          continue;
        }
        const what = `${check.algorithm ?? 'sha256'} ${check.actual}, ${check.bytes} bytes`;
        if (check.ok) {
          process.stdout.write(`${entry.id}: ok (${what})\n`);
        } else {
          bad += 1;
          process.stdout.write(
            `${entry.id}: MISMATCH (${what}; manifest ${check.expected ?? '-'}, ${entry.bytes ?? '-'} bytes) ${store.pathOf(entry)}\n`,
          );
        }
      }
      if (bad > 0) {
        process.stderr.write(
          `${bad} model file(s) missing or failing verification; run \`cutout models pull <id>\`\n`,
        );
        process.exitCode = 1;
      }
    });

  return command;
}

async function pull(store: ModelStore, entry: ModelEntry): Promise<string> {
  let bar: SingleBar | undefined;
  let scale = 1;
  try {
    return await store.ensure(entry, {
      onProgress(done, total) {
        const size = total ?? entry.bytes ?? done;
        if (bar === undefined) {
          const unit = size >= 1e6 ? 'MB' : 'kB';
          scale = unit === 'MB' ? 1e6 : 1e3;
          bar = new SingleBar({
            format: `${entry.id} [{bar}] {percentage}% {value}/{total} ${unit}`,
            hideCursor: true,
            stream: process.stderr,
          });
          bar.start(round(size / scale), 0);
        }
        bar.setTotal(round(size / scale));
        bar.update(round(done / scale));
      },
    });
  } finally {
    bar?.stop();
  }
}

const round = (value: number) => Math.round(value * 10) / 10;

function table(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
