import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createModelStore, downloadUrl } from '../../../../adapters/models/model-store.ts';
import { encodeTinyModel } from '../../../../adapters/onnx/tiny-model-writer.ts';
import { CutoutError } from '../../../../core/errors.ts';
import type { ModelEntry } from '../../../../core/models/manifest.schema.ts';

const GOOD = Buffer.from('pretend onnx weights '.repeat(5000));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

/** A loopback "release server": /good.onnx, /flaky.onnx (500 once), /wrong.onnx, 404 otherwise. */
let server: Server;
let base: string;
const hits = new Map<string, number>();

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? '';
    const count = (hits.get(path) ?? 0) + 1;
    hits.set(path, count);
    if (path === '/good.onnx' || (path === '/flaky.onnx' && count > 1)) {
      response.writeHead(200, { 'content-length': GOOD.length });
      response.end(GOOD);
    } else if (path === '/flaky.onnx') {
      response.writeHead(500).end('try later');
    } else if (path === '/stall.onnx') {
      response.writeHead(200, { 'content-length': GOOD.length });
      response.write(GOOD.subarray(0, 10));
    } else if (path === '/wrong.onnx') {
      response.writeHead(200).end(Buffer.from('not the weights'));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(
  () =>
    new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    }),
);

let dir: string;
beforeEach(async () => {
  hits.clear();
  dir = await mkdtemp(join(tmpdir(), 'cutout-store-'));
  return () => rm(dir, { recursive: true, force: true });
});

function entry(file: string, pins: Partial<ModelEntry> = { sha256: sha256(GOOD) }): ModelEntry {
  return {
    id: file.replace('.onnx', ''),
    version: '1',
    description: 'test',
    fetch: { kind: 'https', url: `https://releases.example.invalid/v1/${file}` },
    input: {
      size: 320,
      channelOrder: 'RGB',
      layout: 'NCHW',
      resize: 'stretch',
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
    },
    output: { index: 0, activation: 'sigmoid' },
    providers: ['cpu'],
    licence: { spdx: 'Apache-2.0' },
    source: 'test',
    ...pins,
  };
}

const store = (overrides: { allowDownload?: boolean; mirrorUrl?: string | undefined } = {}) =>
  createModelStore(
    {
      cacheDir: dir,
      allowDownload: overrides.allowDownload ?? true,
      mirrorUrl: 'mirrorUrl' in overrides ? overrides.mirrorUrl : base,
    },
    { backoffMs: 1, attempts: 3, generators: { tiny: encodeTinyModel } },
  );

async function errorOf(promise: Promise<unknown>): Promise<CutoutError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CutoutError) return error;
    throw error;
  }
  throw new Error('expected a CutoutError');
}

describe('model store', () => {
  it('downloads, verifies sha256 and size, reports progress and leaves no temporary file', async () => {
    const progress: [number, number | undefined][] = [];
    const path = await store().ensure(
      entry('good.onnx', { sha256: sha256(GOOD), bytes: GOOD.length }),
      {
        onProgress: (done, total) => progress.push([done, total]),
      },
    );
    expect(path).toBe(join(dir, 'good.onnx'));
    expect((await readFile(path)).equals(GOOD)).toBe(true);
    expect(await readdir(dir)).toEqual(['good.onnx']);
    expect(progress.at(-1)).toEqual([GOOD.length, GOOD.length]);
    expect(hits.get('/good.onnx')).toBe(1);
  });

  it('verifies md5 when that is the only checksum', async () => {
    await store().ensure(entry('good.onnx', { md5: md5(GOOD) }));
    expect((await store().verify(entry('good.onnx', { md5: md5(GOOD) })))?.algorithm).toBe('md5');
    const wrong = await errorOf(
      store().ensure(entry('good.onnx', { md5: md5(GOOD).replace(/^./, 'x') })),
    );
    expect(wrong.code).toBe('MODEL_UNAVAILABLE');
  });

  it('uses a cached file that verifies without touching the network', async () => {
    await writeFile(join(dir, 'good.onnx'), GOOD);
    await store().ensure(entry('good.onnx'));
    expect(hits.size).toBe(0);
  });

  it('downloads again when the cached file does not match', async () => {
    await writeFile(join(dir, 'good.onnx'), 'corrupted');
    expect((await store().verify(entry('good.onnx')))?.ok).toBe(false);
    await store().ensure(entry('good.onnx'));
    expect((await readFile(join(dir, 'good.onnx'))).equals(GOOD)).toBe(true);
    expect(hits.get('/good.onnx')).toBe(1);
    expect((await store().verify(entry('good.onnx')))?.ok).toBe(true);
  });

  it('retries a server error', async () => {
    await store().ensure(entry('flaky.onnx'));
    expect(hits.get('/flaky.onnx')).toBe(2);
  });

  it('never renames a download that fails its checksum into place', async () => {
    const error = await errorOf(store().ensure(entry('wrong.onnx')));
    expect(error.code).toBe('MODEL_UNAVAILABLE');
    expect(error.message).toContain(
      `sha256 ${sha256(Buffer.from('not the weights'))} does not match`,
    );
    expect(hits.get('/wrong.onnx')).toBe(3);
    expect(await readdir(dir)).toEqual([]);
  });

  it('gives up on a stalled connection after the idle timeout, and retries it', async () => {
    const impatient = createModelStore(
      { cacheDir: dir, allowDownload: true, mirrorUrl: base },
      { backoffMs: 1, attempts: 2, idleTimeoutMs: 150 },
    );
    const error = await errorOf(impatient.ensure(entry('stall.onnx')));
    expect(error.code).toBe('MODEL_UNAVAILABLE');
    expect(error.message).toContain('no data for 150 ms');
    expect(hits.get('/stall.onnx')).toBe(2);
    expect(await readdir(dir)).toEqual([]);
  });

  it('does not retry a 404', async () => {
    const error = await errorOf(store().ensure(entry('absent.onnx')));
    expect(error.message).toContain('HTTP 404');
    expect(hits.get('/absent.onnx')).toBe(1);
  });

  it('says what is missing, where it looked and how to provide it when offline', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((done) => closed.close(() => done()));
    const offline = createModelStore(
      { cacheDir: dir, allowDownload: true, mirrorUrl: `http://127.0.0.1:${port}/` },
      { backoffMs: 1, attempts: 2 },
    );
    const error = await errorOf(offline.ensure(entry('good.onnx')));
    expect(error.code).toBe('MODEL_UNAVAILABLE');
    expect(error.message).toContain(
      `model "good": no usable weights file at ${join(dir, 'good.onnx')}`,
    );
    expect(error.message).toContain(`download from http://127.0.0.1:${port}/good.onnx failed`);
    expect(error.message).toContain(`Looked in ${dir}`);
    expect(error.message).toContain('`cutout models pull good`');
    expect(error.message).toContain('--model /path/to/file.onnx');
  });

  it('does not download when downloads are off', async () => {
    const error = await errorOf(store({ allowDownload: false }).ensure(entry('good.onnx')));
    expect(error.message).toContain('downloads are off (CUTOUT_MODEL_DOWNLOAD=false)');
    expect(hits.size).toBe(0);
  });

  it('generates the tiny model and pins its bytes', async () => {
    const tiny = {
      ...entry('tiny.onnx'),
      fetch: { kind: 'generated', generator: 'tiny' },
    } as ModelEntry;
    const { MODEL_MANIFEST } = await import('../../../../core/models/bundled-manifest.ts');
    const pinned = MODEL_MANIFEST.models.find((model) => model.id === 'tiny');
    if (pinned === undefined) throw new Error('no tiny entry');
    const path = await store().ensure(pinned);
    expect((await store().verify(pinned))?.ok).toBe(true);
    expect(await readFile(path)).toHaveLength(pinned.bytes ?? -1);
    const error = await errorOf(store().ensure({ ...tiny, id: 'tiny2', sha256: sha256(GOOD) }));
    expect(error.message).toContain('the generated file has sha256');
    expect(await store().isCached({ ...tiny, id: 'tiny2' })).toBe(false);
  });

  it('refuses a generated model when it was given no generator, saying how to provide it', async () => {
    const { MODEL_MANIFEST } = await import('../../../../core/models/bundled-manifest.ts');
    const pinned = MODEL_MANIFEST.models.find((model) => model.id === 'tiny');
    if (pinned === undefined) throw new Error('no tiny entry');
    // What production code builds: no generators, so the writer (protobufjs) is never loaded.
    const production = createModelStore({ cacheDir: dir, allowDownload: true, mirrorUrl: base });
    const error = await errorOf(production.ensure(pinned));
    expect(error.code).toBe('MODEL_UNAVAILABLE');
    expect(error.message).toContain('`npx cutout models pull tiny`');
    expect(await production.isCached(pinned)).toBe(false);
    // Once the development tools have written it, the same store serves the file.
    await store().ensure(pinned);
    expect(await production.ensure(pinned)).toBe(join(dir, 'tiny.onnx'));
  });
});

describe('downloadUrl', () => {
  it('keeps the URL without a mirror and swaps the folder with one', () => {
    const url = 'https://github.com/danielgatis/rembg/releases/download/v0.0.0/u2net.onnx';
    expect(downloadUrl(url, undefined)).toBe(url);
    expect(downloadUrl(url, 'https://mirror.example.com/models')).toBe(
      'https://mirror.example.com/models/u2net.onnx',
    );
  });
});
