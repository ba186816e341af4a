/**
 * Memory bounds of alpha matting. The solver holds about 220 bytes per unknown pixel (matrix,
 * IC factor, CG vectors); a warm call peaks near 160-360 bytes per unknown pixel including the
 * image-sized outputs (bench:matting), the first call of a process adds V8's own growth. The
 * working copy adds a few bytes per pixel of its area, which `alpha_base_size` bounds.
 */

/**
 * Unknown pixels one matting solve may have (about 1-2.5 GB at peak). A typical edge band at
 * the default base size has 10^4-10^5; past this the file keeps the plain mask with a warning.
 */
export const DEFAULT_MAX_UNKNOWN_PIXELS = 2_000_000;

export interface MattingLimits {
  /** Unknown pixels in the working trimap above which matting is skipped. */
  readonly maxUnknownPixels?: number;
}
