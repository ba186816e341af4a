import type { Mask } from '../image/raster.ts';
import type { CropMargin, OutputSize, SubjectPosition } from '../params/output-controls.ts';

/** A rectangle in pixels; x/y is its top-left corner. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Alpha at or above which a pixel counts as subject for the bounding box (1/8 opaque): models
 * leave a faint haze over the background (and resizing rings around edges), which would
 * otherwise stretch the box to the image's edges.
 */
export const SUBJECT_ALPHA_THRESHOLD = 32;

/** The smallest box holding every pixel with alpha >= threshold; undefined when there is none. */
export function subjectBox(mask: Mask, threshold = SUBJECT_ALPHA_THRESHOLD): Box | undefined {
  const { width, height, data } = mask;
  let left = width;
  let right = -1;
  let top = -1;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++) {
      if ((data[row + x] ?? 0) >= threshold) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) continue;
    if (top < 0) top = y;
    bottom = y;
    left = Math.min(left, first);
    right = Math.max(right, last);
  }
  if (top < 0) return undefined;
  return { x: left, y: top, width: right - left + 1, height: bottom - top + 1 };
}

/**
 * The crop rectangle: the box grown by the margin on every side (a percentage is of the box's
 * width for left/right and of its height for top/bottom), clamped to the image.
 */
export function cropRegion(
  box: Box,
  margin: CropMargin,
  imageWidth: number,
  imageHeight: number,
): Box {
  const mx = margin.unit === 'px' ? margin.value : Math.round((box.width * margin.value) / 100);
  const my = margin.unit === 'px' ? margin.value : Math.round((box.height * margin.value) / 100);
  const x = Math.max(0, box.x - mx);
  const y = Math.max(0, box.y - my);
  const right = Math.min(imageWidth, box.x + box.width + mx);
  const bottom = Math.min(imageHeight, box.y + box.height + my);
  return { x, y, width: right - x, height: bottom - y };
}

/**
 * Where the subject box lands in a canvas of the same size: scaled (to fit inside `scale` of
 * the canvas, aspect kept) and moved (`position` 0-1 across the free space on each axis).
 * Scaling without a position centres the subject; neither keeps it where it was.
 */
export function placeSubject(
  box: Box,
  canvasWidth: number,
  canvasHeight: number,
  scale: number | undefined,
  position: SubjectPosition | undefined,
): Box {
  const k =
    scale === undefined
      ? 1
      : Math.min((canvasWidth * scale) / box.width, (canvasHeight * scale) / box.height);
  const width = Math.max(1, Math.min(canvasWidth, Math.round(box.width * k)));
  const height = Math.max(1, Math.min(canvasHeight, Math.round(box.height * k)));
  const at = position ?? (scale === undefined ? undefined : { x: 0.5, y: 0.5 });
  if (at === undefined) return { x: box.x, y: box.y, width, height };
  return {
    x: Math.round((canvasWidth - width) * at.x),
    y: Math.round((canvasHeight - height) * at.y),
    width,
    height,
  };
}

/** The output's dimensions under `size`, aspect kept; never larger than the input. */
export function fitOutputSize(
  width: number,
  height: number,
  size: OutputSize | undefined,
): { width: number; height: number } {
  if (size === undefined) return { width, height };
  if (size.kind === 'side') {
    const longest = Math.max(width, height);
    if (longest <= size.pixels) return { width, height };
    const f = size.pixels / longest;
    // The longest side is exactly the bound; the other is rounded.
    return width >= height
      ? { width: size.pixels, height: Math.max(1, Math.round(height * f)) }
      : { width: Math.max(1, Math.round(width * f)), height: size.pixels };
  }
  const f = Math.sqrt((size.megapixels * 1_000_000) / (width * height));
  if (f >= 1) return { width, height };
  // Rounded down, so the area never exceeds the bound.
  return { width: Math.max(1, Math.floor(width * f)), height: Math.max(1, Math.floor(height * f)) };
}
