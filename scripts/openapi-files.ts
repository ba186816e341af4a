import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { renderClientTypes } from './openapi-types.ts';

const ROOT = join(import.meta.dirname, '..');

/** The files generated from the API document (committed, and checked current by a test). */
export const OPENAPI_FILES = {
  document: join(ROOT, 'docs', 'openapi.json'),
  clientTypes: join(ROOT, 'client', 'src', 'api-types.ts'),
  /** The client as one ES module for the web page (served at /client.js: local/web-assets.ts). */
  webClient: join(ROOT, 'local', 'web', 'client.js'),
} as const;

/** The client bundled for browsers; committed, so the page needs no build step where it runs. */
function bundleClient(): string {
  const built = buildSync({
    entryPoints: [join(ROOT, 'client', 'src', 'index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    legalComments: 'none',
    absWorkingDir: ROOT,
    banner: {
      js: '// client/ bundled by `npm run docs:openapi` (scripts/openapi-files.ts): do not edit.',
    },
  });
  return built.outputFiles[0]?.text ?? '';
}

export function renderOpenApiFiles(
  document: Record<string, unknown>,
): Record<keyof typeof OPENAPI_FILES, string> {
  return {
    document: `${JSON.stringify(document, null, 2)}\n`,
    clientTypes: renderClientTypes(document),
    webClient: bundleClient(),
  };
}
