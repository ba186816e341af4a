import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * The web page's static files (local/web/), read once. The page is plain HTML, CSS and JS with no
 * build step, so serving it is a lookup.
 */

const WEB_DIR = fileURLToPath(new URL('./web/', import.meta.url));

const FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/web/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  // The typed client (client/) bundled by `npm run docs:openapi`: the page speaks the API through it.
  '/client.js': { file: 'client.js', type: 'text/javascript; charset=utf-8' },
  '/web/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  '/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};

export interface WebAsset {
  readonly type: string;
  readonly body: Buffer;
}

const KEY_PLACEHOLDER = '__CUTOUT_DEV_KEY__';

function escapeAttribute(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('"', '&quot;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
}

export interface WebAssets {
  /** The asset for a path, with the development key filled in when `devKey` is given. */
  get(path: string, devKey: string | undefined): WebAsset | undefined;
}

export async function loadWebAssets(): Promise<WebAssets> {
  const cache = new Map<string, Buffer>();
  for (const { file } of Object.values(FILES)) {
    if (!cache.has(file)) cache.set(file, await readFile(`${WEB_DIR}${file}`));
  }
  return {
    get(path, devKey) {
      const entry = FILES[path];
      if (!entry) return undefined;
      const body = cache.get(entry.file);
      if (!body) return undefined;
      if (entry.file !== 'index.html') return { type: entry.type, body };
      const html = body.toString('utf8').replace(KEY_PLACEHOLDER, escapeAttribute(devKey ?? ''));
      return { type: entry.type, body: Buffer.from(html) };
    },
  };
}
