import { describe, expect, it } from 'vitest';
import { MODEL_MANIFEST } from '../../../../core/models/bundled-manifest.ts';
import type { ModelEntry } from '../../../../core/models/manifest.schema.ts';

/**
 * The BiRefNet and BEN2 entries against the facts their sources publish, copied here by hand with
 * where each came from (models/README.md cites the same). Nothing here can fetch the weights, so
 * the entries are checked against this table instead: an edit to an entry that drifts from its
 * source fails here.
 */

const REMBG = 'https://github.com/danielgatis/rembg/releases/download/v0.0.0';
const IMAGENET = {
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

interface CitedFacts {
  /** Where the facts were read. */
  readonly citation: string;
  readonly url: string;
  readonly md5?: string;
  readonly sha256?: string;
  readonly bytes?: number;
  readonly size: number;
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly divideByMax: boolean;
  readonly activation: 'sigmoid' | 'logits' | 'none';
  readonly outputIndex: number;
  readonly spdx: string;
}

/**
 * rembg: danielgatis/rembg at 684f8e9f6c9162009b21ab637d8f2b0c05502470,
 * rembg/sessions/birefnet_general.py (predict: normalize(img, ImageNet mean/std, (1024, 1024)),
 * which divides by the image maximum in base.py; `sigmoid(ort_outs[0][:, 0])`, then min-max;
 * download_models: URL and md5), birefnet_general_lite.py and birefnet_portrait.py (subclasses:
 * URL and md5 only). Licence: ZhengPeng7/BiRefNet LICENSE (MIT).
 * BEN2: PramaLLC/BEN2 README (ONNX weights at huggingface.co/PramaLLC/BEN2, BEN2_Base.onnx; base
 * model open source) and export.py (dummy input 1x3x1024x1024); model card licence MIT. The
 * sha256 and size are the ones pinned independently by two public projects that download
 * BEN2_Base.onnx (see models/README.md); its onnx_run.py feeds ToTensor values (0..1, no
 * mean/std) and min-maxes the raw output.
 */
const CITED: Readonly<Record<string, CitedFacts>> = {
  'birefnet-general': {
    citation: 'rembg/sessions/birefnet_general.py',
    url: `${REMBG}/BiRefNet-general-epoch_244.onnx`,
    md5: '7a35a0141cbbc80de11d9c9a28f52697',
    size: 1024,
    ...IMAGENET,
    divideByMax: true,
    activation: 'logits',
    outputIndex: 0,
    spdx: 'MIT',
  },
  'birefnet-general-lite': {
    citation: 'rembg/sessions/birefnet_general_lite.py',
    url: `${REMBG}/BiRefNet-general-bb_swin_v1_tiny-epoch_232.onnx`,
    md5: '4fab47adc4ff364be1713e97b7e66334',
    size: 1024,
    ...IMAGENET,
    divideByMax: true,
    activation: 'logits',
    outputIndex: 0,
    spdx: 'MIT',
  },
  'birefnet-portrait': {
    citation: 'rembg/sessions/birefnet_portrait.py',
    url: `${REMBG}/BiRefNet-portrait-epoch_150.onnx`,
    md5: 'c3a64a6abf20250d090cd055f12a3b67',
    size: 1024,
    ...IMAGENET,
    divideByMax: true,
    activation: 'logits',
    outputIndex: 0,
    spdx: 'MIT',
  },
  'ben2-base': {
    citation: 'PramaLLC/BEN2 README.md + export.py; huggingface.co/PramaLLC/BEN2',
    url: 'https://huggingface.co/PramaLLC/BEN2/resolve/main/BEN2_Base.onnx',
    sha256: '22cea62108ff53b7ccc20f7a008bf30494228d84b1687f29ecbe76936a998101',
    bytes: 222_932_053,
    size: 1024,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    divideByMax: false,
    activation: 'none',
    outputIndex: 0,
    spdx: 'MIT',
  },
};

function entryOf(id: string): ModelEntry {
  const entry = MODEL_MANIFEST.models.find((model) => model.id === id);
  if (entry === undefined) throw new Error(`manifest lacks ${id}`);
  return entry;
}

describe('manifest entries against their cited sources', () => {
  it.each(Object.entries(CITED))('%s matches its source', (id, facts) => {
    const entry = entryOf(id);
    expect(entry.fetch, facts.citation).toEqual({ kind: 'https', url: facts.url });
    expect(entry.md5, facts.citation).toBe(facts.md5);
    expect(entry.sha256, facts.citation).toBe(facts.sha256);
    expect(entry.bytes, facts.citation).toBe(facts.bytes);
    expect(entry.input, facts.citation).toMatchObject({
      size: facts.size,
      channelOrder: 'RGB',
      layout: 'NCHW',
      resize: 'stretch',
      mean: facts.mean,
      std: facts.std,
    });
    expect(entry.input.divideByMax ?? true, facts.citation).toBe(facts.divideByMax);
    expect(entry.output.index, facts.citation).toBe(facts.outputIndex);
    expect(entry.output.activation, facts.citation).toBe(facts.activation);
    // rembg and BEN2 both min-max the map and resize it back with Lanczos.
    expect(entry.output.minMax ?? true).toBe(true);
    expect(entry.licence.spdx, facts.citation).toBe(facts.spdx);
    expect(entry.default).toBeUndefined();
  });

  it('names the upstream source of each entry', () => {
    for (const id of ['birefnet-general', 'birefnet-general-lite', 'birefnet-portrait']) {
      expect(entryOf(id).source).toMatch(/^https:\/\/github\.com\/danielgatis\/rembg /);
      expect(entryOf(id).licence.url).toBe('https://github.com/ZhengPeng7/BiRefNet');
    }
    expect(entryOf('ben2-base').licence.url).toBe('https://huggingface.co/PramaLLC/BEN2');
  });

  it('carries an SPDX licence on every entry', () => {
    for (const entry of MODEL_MANIFEST.models) {
      expect(entry.licence.spdx, entry.id).toMatch(/^[A-Za-z0-9][A-Za-z0-9.+-]*$/);
    }
  });
});
