/**
 * Makes the HEIC test fixtures from the project's own lemur.jpg (see test/fixtures/images/README.md):
 *
 * - `lemur.heic`: 170x110, HEVC, heif-enc quality 80.
 * - `lemur-rotated.heic`: the same picture with an `irot` property (270 degrees anticlockwise,
 *   i.e. 90 clockwise) on its primary item, and EXIF orientation 6 saying the same thing, as an
 *   iPhone writes a portrait photo: a reader must show it 110x170, turned clockwise, once.
 *
 * Needs `heif-enc` (Debian/Ubuntu: libheif-examples). The tests only read the committed files.
 * Run: scripts/env.sh tsx scripts/make-heic-fixtures.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';

const FIXTURES = resolve(import.meta.dirname, '../test/fixtures/images');
const SIZE = { width: 170, height: 110 };

interface Box {
  readonly type: string;
  readonly offset: number;
  readonly size: number;
}

function boxes(bytes: Buffer, start: number, end: number): Box[] {
  const found: Box[] = [];
  for (let offset = start; offset < end; ) {
    const size = bytes.readUInt32BE(offset);
    found.push({ type: bytes.toString('latin1', offset + 4, offset + 8), offset, size });
    offset += size;
  }
  return found;
}

function find(list: readonly Box[], type: string): Box {
  const box = list.find((b) => b.type === type);
  if (!box) throw new Error(`no ${type} box`);
  return box;
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const box = (type: string, body: Buffer) =>
  Buffer.concat([u32(body.length + 8), Buffer.from(type, 'latin1'), body]);
const slice = (bytes: Buffer, b: Box) => bytes.subarray(b.offset, b.offset + b.size);

/**
 * Adds `irot` (quarter turns anticlockwise) to the primary item: a new property at the end of
 * ipco, an essential association in ipma, the enclosing sizes and iloc's file offsets into mdat
 * moved by the bytes added. Handles the layout heif-enc writes (ipma version 0, 8-bit indices).
 */
function addRotation(heic: Buffer, quarterTurns: number): Buffer {
  const top = boxes(heic, 0, heic.length);
  const meta = find(top, 'meta');
  const metaKids = boxes(heic, meta.offset + 12, meta.offset + meta.size);
  const iprp = find(metaKids, 'iprp');
  const iprpKids = boxes(heic, iprp.offset + 8, iprp.offset + iprp.size);
  const ipco = find(iprpKids, 'ipco');
  const ipma = find(iprpKids, 'ipma');
  const primary = heic.readUInt16BE(find(metaKids, 'pitm').offset + 12);
  const propertyIndex = boxes(heic, ipco.offset + 8, ipco.offset + ipco.size).length + 1;

  if (heic[ipma.offset + 8] !== 0 || (heic.readUIntBE(ipma.offset + 9, 3) & 1) !== 0) {
    throw new Error('unexpected ipma layout');
  }
  const entries: Buffer[] = [heic.subarray(ipma.offset + 8, ipma.offset + 16)];
  let p = ipma.offset + 16;
  for (let n = heic.readUInt32BE(ipma.offset + 12); n > 0; n--) {
    const id = heic.readUInt16BE(p);
    const count = heic[p + 2] ?? 0;
    const associations = heic.subarray(p + 3, p + 3 + count);
    entries.push(
      id === primary
        ? Buffer.concat([
            Buffer.from([id >> 8, id & 255, count + 1]),
            associations,
            Buffer.from([0x80 | propertyIndex]),
          ])
        : heic.subarray(p, p + 3 + count),
    );
    p += 3 + count;
  }
  const newIpma = box('ipma', Buffer.concat(entries));
  const irot = box('irot', Buffer.from([quarterTurns & 3]));
  const newIpco = box(
    'ipco',
    Buffer.concat([heic.subarray(ipco.offset + 8, ipco.offset + ipco.size), irot]),
  );
  const grown = newIpco.length - ipco.size + (newIpma.length - ipma.size);

  const newIprp = box(
    'iprp',
    Buffer.concat(
      iprpKids.map((k) =>
        k.type === 'ipco' ? newIpco : k.type === 'ipma' ? newIpma : slice(heic, k),
      ),
    ),
  );
  const metaBody = Buffer.concat(
    metaKids.map((k) => (k.type === 'iprp' ? newIprp : slice(heic, k))),
  );
  const newMeta = Buffer.concat([
    u32(metaBody.length + 12),
    heic.subarray(meta.offset + 4, meta.offset + 12),
    metaBody,
  ]);
  const iloc = find(metaKids, 'iloc');
  if (iloc.offset > iprp.offset) throw new Error('iloc after iprp: offsets would move');
  moveIlocOffsets(newMeta, iloc.offset - meta.offset, meta.offset + meta.size, grown);
  return Buffer.concat(top.map((k) => (k.type === 'meta' ? newMeta : slice(heic, k))));
}

/** Adds `by` to every iloc file offset (construction method 0) at or past `from`. */
function moveIlocOffsets(meta: Buffer, at: number, from: number, by: number): void {
  let q = at + 8;
  const version = meta[q] ?? 0;
  q += 4;
  const offsetSize = (meta[q] ?? 0) >> 4;
  const lengthSize = (meta[q] ?? 0) & 15;
  const baseSize = (meta[q + 1] ?? 0) >> 4;
  const indexSize = version >= 1 ? (meta[q + 1] ?? 0) & 15 : 0;
  q += 2;
  const count = version < 2 ? meta.readUInt16BE(q) : meta.readUInt32BE(q);
  q += version < 2 ? 2 : 4;
  const move = (pos: number, size: number) => {
    const value = meta.readUIntBE(pos, size);
    if (value >= from) meta.writeUIntBE(value + by, pos, size);
  };
  for (let i = 0; i < count; i++) {
    q += version < 2 ? 2 : 4;
    let method = 0;
    if (version >= 1) {
      method = meta.readUInt16BE(q) & 15;
      q += 2;
    }
    q += 2;
    if (baseSize > 0 && method === 0) move(q, baseSize);
    q += baseSize;
    const extents = meta.readUInt16BE(q);
    q += 2;
    for (let e = 0; e < extents; e++) {
      q += indexSize;
      if (offsetSize > 0 && baseSize === 0 && method === 0) move(q, offsetSize);
      q += offsetSize + lengthSize;
    }
  }
}

const work = mkdtempSync(join(tmpdir(), 'cutout-heic-'));
try {
  const source = sharp(join(FIXTURES, 'lemur.jpg')).resize(SIZE.width, SIZE.height);
  await source.clone().jpeg({ quality: 95 }).toFile(join(work, 'upright.jpg'));
  await source
    .clone()
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .toFile(join(work, 'exif6.jpg'));
  const encode = (input: string, output: string) =>
    execFileSync('heif-enc', ['-q', '80', '-o', join(work, output), join(work, input)]);
  encode('upright.jpg', 'upright.heic');
  encode('exif6.jpg', 'exif6.heic');
  writeFileSync(join(FIXTURES, 'lemur.heic'), readFileSync(join(work, 'upright.heic')));
  writeFileSync(
    join(FIXTURES, 'lemur-rotated.heic'),
    addRotation(readFileSync(join(work, 'exif6.heic')), 3),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
