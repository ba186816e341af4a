import { describe, expect, it } from 'vitest';
import { CutoutError } from '../../../../core/errors.ts';
import { formatModelAliases, parseModelAliases } from '../../../../core/models/aliases.ts';
import { MODEL_MANIFEST } from '../../../../core/models/bundled-manifest.ts';
import { defaultModel, modelSpecOf, resolveModel } from '../../../../core/models/resolve-model.ts';

describe('parseModelAliases', () => {
  it('parses pairs, trimming blanks', () => {
    const aliases = parseModelAliases(' u2net = isnet-imgly , u2netp=isnet-imgly-quint8,');
    expect([...aliases]).toEqual([
      ['u2net', 'isnet-imgly'],
      ['u2netp', 'isnet-imgly-quint8'],
    ]);
    expect(formatModelAliases(aliases)).toBe('u2net=isnet-imgly,u2netp=isnet-imgly-quint8');
  });

  it('treats missing or blank text as no aliases', () => {
    expect(parseModelAliases(undefined).size).toBe(0);
    expect(parseModelAliases('  ').size).toBe(0);
  });

  it.each([
    ['u2net', 'u2net'],
    ['u2net=', 'u2net='],
    ['=tiny', '=tiny'],
    ['a=b=c', 'a=b=c'],
    ['u2net=tiny,x y=tiny', 'x y=tiny'],
    ['u2net=u2net', 'u2net=u2net'],
    ['u2net=tiny,u2net=isnet-imgly', 'u2net=isnet-imgly'],
  ])('rejects %j naming the pair %j', (text, pair) => {
    let error: unknown;
    try {
      parseModelAliases(text);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(CutoutError);
    expect((error as CutoutError).code).toBe('INVALID_REQUEST');
    expect((error as CutoutError).message).toContain(`CUTOUT_MODEL_ALIASES: bad pair "${pair}"`);
  });
});

describe('resolveModel', () => {
  const aliases = parseModelAliases('u2net=isnet-imgly,u2netp=missing-model');

  it('serves an aliased id with the target entry and says so', () => {
    const resolved = resolveModel(MODEL_MANIFEST, aliases, 'u2net');
    expect(resolved).toMatchObject({ requestedId: 'u2net', aliased: true });
    expect(resolved.entry.id).toBe('isnet-imgly');
    expect(modelSpecOf(resolved.entry).id).toBe('isnet-imgly');
    expect(modelSpecOf(resolved.entry).inputSize).toBe(1024);
  });

  it('resolves unaliased ids to themselves', () => {
    const resolved = resolveModel(MODEL_MANIFEST, aliases, 'u2net_human_seg');
    expect(resolved).toMatchObject({ requestedId: 'u2net_human_seg', aliased: false });
    expect(resolved.entry.id).toBe('u2net_human_seg');
  });

  it('does not chain aliases', () => {
    const chained = parseModelAliases('u2net=u2netp,u2netp=tiny');
    expect(resolveModel(MODEL_MANIFEST, chained, 'u2net').entry.id).toBe('u2netp');
  });

  it('throws MODEL_NOT_FOUND naming the id and listing known ids', () => {
    expect(() => resolveModel(MODEL_MANIFEST, aliases, 'nope')).toThrowError(
      /model "nope" is not in the manifest; known models: u2net, u2netp, .*tiny/,
    );
    try {
      resolveModel(MODEL_MANIFEST, aliases, 'u2netp');
    } catch (error) {
      expect((error as CutoutError).code).toBe('MODEL_NOT_FOUND');
      expect((error as CutoutError).message).toContain('model "missing-model" (alias of "u2netp")');
    }
    expect.assertions(3);
  });

  it('finds the default', () => {
    expect(defaultModel(MODEL_MANIFEST).id).toBe('u2net');
  });
});
