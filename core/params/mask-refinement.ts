import type { z } from 'zod';
import { booleanField, fieldDocs, intFieldWithDefault } from './field-schemas.ts';

/**
 * The mask refinement fields of an image request: the final alpha grown or shrunk, its edge
 * softened, and the removed background's colour taken out of the soft edge. Their defaults
 * leave the output exactly as without them.
 */

export const MAX_MASK_SHIFT = 20;
export const MAX_MASK_FEATHER = 50;

/** The field's document entry with a description added (range and default come from the field). */
function described<S extends z.ZodType>(schema: S, description: string): S {
  const doc = fieldDocs.get(schema);
  if (doc !== undefined) fieldDocs.add(schema, { ...doc, description });
  return schema;
}

export const maskRefinementShape = {
  mask_shift: described(
    intFieldWithDefault(-MAX_MASK_SHIFT, MAX_MASK_SHIFT, 0),
    'Grow (positive) or shrink (negative) the subject by this many pixels, after the model and matting',
  ),
  mask_feather: described(
    intFieldWithDefault(0, MAX_MASK_FEATHER, 0),
    'Soften the edge over about this many pixels (a Gaussian blur of the alpha, sigma = n/4), after mask_shift',
  ),
  despill: described(
    booleanField(false),
    'Remove the removed background colour from partly transparent edge pixels (see docs/images.md)',
  ),
};

export interface MaskRefinement {
  /** Pixels the subject grows by (negative: shrinks); 0 leaves it. */
  readonly shift: number;
  /** Width in pixels of the soft edge; 0 leaves it. */
  readonly feather: number;
  readonly despill: boolean;
}

export function maskRefinementFrom(p: {
  readonly mask_shift: number;
  readonly mask_feather: number;
  readonly despill: boolean;
}): MaskRefinement {
  return { shift: p.mask_shift, feather: p.mask_feather, despill: p.despill };
}
