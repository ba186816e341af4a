import type { Mask, RgbImage } from '../image/raster.ts';
import type { MaskRefinement } from '../params/mask-refinement.ts';
import { despill } from './despill.ts';
import { featherMask, shiftMask } from './refine-mask.ts';

export interface RefinementContext {
  /** Alpha matting ran: its foreground colours are already unmixed, so despill is skipped. */
  readonly matted: boolean;
  /** Only the mask is written: no colours to despill. */
  readonly maskOnly: boolean;
  /** The input's own alpha: its transparent pixels' colours are not sampled. */
  readonly inputAlpha: Mask | undefined;
  readonly label: string;
}

export interface RefinedMask {
  readonly mask: Mask;
  readonly rgb: RgbImage;
  readonly warnings: string[];
}

/**
 * despill, then mask_shift, then mask_feather. Despill reads the mask the model (or matting)
 * made, because that alpha is its estimate of how much of each edge pixel the subject covers; a
 * shifted or feathered alpha no longer says that, and unmixing with it would tint the subject.
 */
export async function applyMaskRefinement(
  rgb: RgbImage,
  mask: Mask,
  refinement: MaskRefinement,
  context: RefinementContext,
): Promise<RefinedMask> {
  const warnings: string[] = [];
  let colours = rgb;
  if (refinement.despill && !context.maskOnly) {
    if (context.matted) {
      warnings.push(
        `${context.label}: despill skipped: alpha matting already estimates the edge colours`,
      );
    } else {
      const result = despill(rgb, mask, context.inputAlpha);
      if (result.background === undefined) {
        warnings.push(
          `${context.label}: despill skipped: no background was removed near the subject`,
        );
      }
      colours = result.rgb;
    }
  }
  const shifted = shiftMask(mask, refinement.shift);
  const feathered = await featherMask(shifted, refinement.feather);
  return { mask: feathered, rgb: colours, warnings };
}
