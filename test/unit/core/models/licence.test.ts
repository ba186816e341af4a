import { describe, expect, it } from 'vitest';
import { CutoutError } from '../../../../core/errors.ts';
import { MODEL_MANIFEST } from '../../../../core/models/bundled-manifest.ts';
import {
  assertCommercialSafe,
  isPermissive,
  licenceOf,
  nonPermissiveModels,
} from '../../../../core/models/licence.ts';

describe('model licences', () => {
  it('counts MIT, Apache-2.0, BSD and ISC as permissive, copyleft and unknown ids not', () => {
    for (const spdx of ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'ISC'])
      expect(isPermissive(spdx)).toBe(true);
    for (const spdx of ['AGPL-3.0', 'GPL-3.0-only', 'CC-BY-NC-4.0', 'mit', 'Proprietary']) {
      expect(isPermissive(spdx)).toBe(false);
    }
  });

  it('reads the licence of a manifest model, nothing for an id outside it', () => {
    expect(licenceOf(MODEL_MANIFEST, 'birefnet-general')).toBe('MIT');
    expect(licenceOf(MODEL_MANIFEST, 'u2net')).toBe('Apache-2.0');
    expect(licenceOf(MODEL_MANIFEST, 'isnet-imgly')).toBe('AGPL-3.0');
    expect(licenceOf(MODEL_MANIFEST, '/models/custom.onnx')).toBeUndefined();
  });

  it('refuses exactly the non-permissive models, and aliases that lead to one', () => {
    const refused = nonPermissiveModels(
      MODEL_MANIFEST,
      new Map([
        ['u2net', 'isnet-imgly'],
        ['isnet-imgly-quint8', 'birefnet-general-lite'],
      ]),
    );
    expect([...refused.keys()].sort()).toEqual(['isnet-imgly', 'u2net']);
    expect(refused.get('u2net')).toEqual({ modelId: 'isnet-imgly', spdx: 'AGPL-3.0' });
    expect(nonPermissiveModels(MODEL_MANIFEST, new Map()).has('isnet-imgly-quint8')).toBe(true);
    for (const id of ['birefnet-general', 'birefnet-portrait', 'ben2-base', 'u2net', 'tiny']) {
      expect(nonPermissiveModels(MODEL_MANIFEST, new Map()).has(id)).toBe(false);
    }
  });

  it('answers a refused model with a 400 naming model and the licence', () => {
    const refused = nonPermissiveModels(MODEL_MANIFEST, new Map([['u2net', 'isnet-imgly']]));
    expect(() => assertCommercialSafe('birefnet-general', refused)).not.toThrow();
    expect(() => assertCommercialSafe('isnet-imgly', undefined)).not.toThrow();
    let caught: unknown;
    try {
      assertCommercialSafe('u2net', refused);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CutoutError);
    const error = caught as CutoutError;
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.field).toBe('model');
    expect(error.message).toMatch(/"u2net" \(served by "isnet-imgly"\) is licensed AGPL-3\.0/);
    expect(error.message).toMatch(/commercialSafeOnly/);
  });
});
