import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ModelEntry } from '../../core/models/manifest.schema.ts';

export type HashAlgorithm = 'sha256' | 'md5';

/** The hash an entry is verified by: sha256 when known, else md5; none for unpinned entries. */
export interface ExpectedDigest {
  readonly algorithm: HashAlgorithm;
  readonly hex: string;
}

export function expectedDigest(entry: ModelEntry): ExpectedDigest | undefined {
  if (entry.sha256) return { algorithm: 'sha256', hex: entry.sha256 };
  if (entry.md5) return { algorithm: 'md5', hex: entry.md5 };
  return undefined;
}

export interface FileCheck {
  readonly ok: boolean;
  readonly bytes: number;
  readonly algorithm: HashAlgorithm | undefined;
  readonly actual: string | undefined;
  readonly expected: string | undefined;
}

/** Streams a file through its expected hash; also checks the size when the entry pins one. */
export async function checkFile(path: string, entry: ModelEntry): Promise<FileCheck> {
  const expected = expectedDigest(entry);
  const hash = createHash(expected?.algorithm ?? 'sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  const actual = hash.digest('hex');
  const sizeOk = entry.bytes === undefined || entry.bytes === bytes;
  return {
    ok: sizeOk && (expected === undefined || expected.hex === actual),
    bytes,
    algorithm: expected?.algorithm,
    actual,
    expected: expected?.hex,
  };
}

/** A hash fed while bytes stream past, so a download is verified without a second read. */
export function digestFor(entry: ModelEntry): { hash: Hash; expected: ExpectedDigest | undefined } {
  const expected = expectedDigest(entry);
  return { hash: createHash(expected?.algorithm ?? 'sha256'), expected };
}
