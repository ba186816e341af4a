import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { encodeTinyModel } from '../adapters/onnx/tiny-model-writer.ts';

/**
 * Writes the tiny test model (u2net signature, "foreground where red dominates"; the rule is in
 * core/models/tiny-model-rule.ts).
 * Usage: tsx scripts/make-tiny-model.ts [out.onnx]   (default .cache/models/tiny.onnx)
 */
const out = resolve(process.argv[2] ?? '.cache/models/tiny.onnx');
const bytes = await encodeTinyModel();
await mkdir(dirname(out), { recursive: true });
await writeFile(out, bytes);
console.log(`wrote ${out} (${bytes.length} bytes)`);
