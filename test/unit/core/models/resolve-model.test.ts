import { describe, expect, it } from 'vitest';
import { MODEL_MANIFEST } from '../../../../core/models/bundled-manifest.ts';
import { modelSpecOf, resolveModel } from '../../../../core/models/resolve-model.ts';

const spec = (id: string) => modelSpecOf(resolveModel(MODEL_MANIFEST, new Map(), id).entry);

describe('modelSpecOf', () => {
  it("feeds rembg's models as rembg does: Lanczos-3, divided by the image maximum", () => {
    for (const id of [
      'u2net',
      'u2netp',
      'u2net_human_seg',
      'silueta',
      'isnet-general-use',
      'tiny',
    ]) {
      expect(spec(id)).toMatchObject({
        id,
        resizeKernel: 'lanczos3',
        divideByMax: true,
        maskMinMax: true,
        maskKernel: 'lanczos3',
        outputIndex: 0,
        outputSigmoid: false,
      });
    }
  });

  it('feeds BiRefNet as rembg does, with a sigmoid over its logits; BEN2 raw and un-normalised', () => {
    for (const id of ['birefnet-general', 'birefnet-general-lite', 'birefnet-portrait']) {
      expect(spec(id)).toMatchObject({
        id,
        inputSize: 1024,
        mean: [0.485, 0.456, 0.406],
        std: [0.229, 0.224, 0.225],
        resizeKernel: 'lanczos3',
        divideByMax: true,
        maskMinMax: true,
        maskKernel: 'lanczos3',
        outputIndex: 0,
        outputSigmoid: true,
      });
    }
    expect(spec('ben2-base')).toMatchObject({
      inputSize: 1024,
      mean: [0, 0, 0],
      std: [1, 1, 1],
      divideByMax: false,
      maskMinMax: true,
      outputSigmoid: false,
    });
  });

  it("feeds imgly's ISNet weights as imgly does: its corner-aligned bilinear both ways, (v - 128) / 256, clamped output", () => {
    for (const id of ['isnet-imgly', 'isnet-imgly-quint8']) {
      const { resizeKernel, divideByMax, mean, std, inputSize, maskMinMax, maskKernel } = spec(id);
      expect({ resizeKernel, divideByMax, inputSize, maskMinMax, maskKernel }).toEqual({
        resizeKernel: 'bilinear-corner',
        divideByMax: false,
        inputSize: 1024,
        maskMinMax: false,
        maskKernel: 'bilinear-corner',
      });
      // With values divided by 255: (v / 255 - mean) / std must equal (v - 128) / 256.
      for (const v of [0, 128, 255]) {
        expect((v / 255 - mean[0]) / std[0]).toBeCloseTo((v - 128) / 256, 12);
      }
    }
  });

  it('derives an fp32 CPU copy only for the fp16 imgly weights', () => {
    const withCopy = MODEL_MANIFEST.models.filter((entry) => entry.cpuVariant === 'fp32');
    expect(withCopy.map((entry) => entry.id)).toEqual(['isnet-imgly']);
  });
});
