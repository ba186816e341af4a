import { describe, expect, it } from 'vitest';
import { availableModels } from '../../../functions/convert/available-models.ts';

const MANIFEST = ['u2net', 'u2netp', 'u2net_human_seg', 'isnet-general-use'];

describe('availableModels (what /v1/convert accepts)', () => {
  it('is every manifest model, aliases included, when the deployment names none (local stack)', () => {
    const aliases = new Map([['fast', 'u2netp']]);
    expect([...availableModels(MANIFEST, undefined, aliases)].sort()).toEqual(
      [...MANIFEST, 'fast'].sort(),
    );
  });

  it('is the deployed list, with the aliases that point into it', () => {
    const aliases = new Map([
      ['fast', 'u2netp'],
      ['best', 'isnet-general-use'],
    ]);
    expect([...availableModels(MANIFEST, ' u2net, u2netp ', aliases)].sort()).toEqual([
      'fast',
      'u2net',
      'u2netp',
    ]);
  });

  it('names the variable when the list holds a model the manifest lacks', () => {
    expect(() => availableModels(MANIFEST, 'u2net,birefnet', new Map())).toThrow(
      /CUTOUT_AVAILABLE_MODELS: birefnet/,
    );
  });
});
