import sharp from 'sharp';
import type { Mask, RgbImage } from '../image/raster.ts';
import type { ImageOptions } from '../params/convert-params.ts';
import { type Box, cropRegion, fitOutputSize, placeSubject, subjectBox } from './subject-box.ts';

/** The cut-out before compositing: colour and its straight alpha, the same size. */
export interface Layer {
  readonly rgb: RgbImage;
  readonly mask: Mask;
}

type LayoutOptions = Pick<ImageOptions, 'crop' | 'scale' | 'position' | 'size'>;

/** Whether any output control changes the geometry (when none does, the layer passes untouched). */
export function changesLayout(options: LayoutOptions): boolean {
  return (
    options.crop !== undefined ||
    options.scale !== undefined ||
    options.position !== undefined ||
    options.size !== undefined
  );
}

/**
 * Applies the output controls to the cut-out, in this order: crop to the subject's box (plus
 * margin), scale and move the subject within that canvas, bound the whole by `size`. The
 * background is composited afterwards, at the final size, so it is never cropped or stretched
 * with the subject. A mask with no subject skips crop/scale/position with a warning.
 */
export async function layoutOutput(
  layer: Layer,
  options: LayoutOptions,
  warn: (warning: string) => void,
): Promise<Layer> {
  let out = layer;
  if (options.crop !== undefined || options.scale !== undefined || options.position !== undefined) {
    let box = subjectBox(out.mask);
    if (box === undefined) {
      warn('no subject found (the mask is empty): crop, scale and position were not applied');
    } else {
      if (options.crop !== undefined) {
        const region = cropRegion(box, options.crop, out.rgb.width, out.rgb.height);
        out = extract(out, region);
        box = { ...box, x: box.x - region.x, y: box.y - region.y };
      }
      if (options.scale !== undefined || options.position !== undefined) {
        out = await moveSubject(out, box, options.scale, options.position);
      }
    }
  }
  const target = fitOutputSize(out.rgb.width, out.rgb.height, options.size);
  if (target.width !== out.rgb.width || target.height !== out.rgb.height) {
    out = await resizeLayer(out, target.width, target.height);
  }
  return out;
}

async function moveSubject(
  layer: Layer,
  box: Box,
  scale: number | undefined,
  position: ImageOptions['position'],
): Promise<Layer> {
  const { width, height } = layer.rgb;
  const place = placeSubject(box, width, height, scale, position);
  if (
    place.x === box.x &&
    place.y === box.y &&
    place.width === box.width &&
    place.height === box.height
  ) {
    return layer;
  }
  let subject = extract(layer, box);
  if (place.width !== box.width || place.height !== box.height) {
    subject = await resizeLayer(subject, place.width, place.height);
  }
  return paste(subject, width, height, place);
}

/** The region's pixels (the region lies inside the layer). */
export function extract(layer: Layer, region: Box): Layer {
  const { x, y, width, height } = region;
  const srcWidth = layer.rgb.width;
  const rgb = new Uint8Array(width * height * 3);
  const mask = new Uint8Array(width * height);
  for (let row = 0; row < height; row++) {
    const from = (y + row) * srcWidth + x;
    rgb.set(layer.rgb.data.subarray(from * 3, (from + width) * 3), row * width * 3);
    mask.set(layer.mask.data.subarray(from, from + width), row * width);
  }
  return { rgb: { data: rgb, width, height }, mask: { data: mask, width, height } };
}

/** The layer placed on a transparent canvas; parts outside the canvas are cut off. */
function paste(layer: Layer, canvasWidth: number, canvasHeight: number, at: Box): Layer {
  const rgb = new Uint8Array(canvasWidth * canvasHeight * 3);
  const mask = new Uint8Array(canvasWidth * canvasHeight);
  const x0 = Math.max(0, at.x);
  const x1 = Math.min(canvasWidth, at.x + layer.rgb.width);
  for (let row = 0; row < layer.rgb.height; row++) {
    const y = at.y + row;
    if (y < 0 || y >= canvasHeight || x1 <= x0) continue;
    const from = row * layer.rgb.width + (x0 - at.x);
    const to = y * canvasWidth + x0;
    const n = x1 - x0;
    rgb.set(layer.rgb.data.subarray(from * 3, (from + n) * 3), to * 3);
    mask.set(layer.mask.data.subarray(from, from + n), to);
  }
  return {
    rgb: { data: rgb, width: canvasWidth, height: canvasHeight },
    mask: { data: mask, width: canvasWidth, height: canvasHeight },
  };
}

/**
 * Resamples colour and alpha together as RGBA: sharp weighs colour by alpha while resizing, so
 * the hidden background's colours do not bleed into the subject's edge.
 */
export async function resizeLayer(layer: Layer, width: number, height: number): Promise<Layer> {
  const pixels = layer.rgb.width * layer.rgb.height;
  const rgba = new Uint8Array(pixels * 4);
  for (let i = 0; i < pixels; i++) {
    rgba[i * 4] = layer.rgb.data[i * 3] ?? 0;
    rgba[i * 4 + 1] = layer.rgb.data[i * 3 + 1] ?? 0;
    rgba[i * 4 + 2] = layer.rgb.data[i * 3 + 2] ?? 0;
    rgba[i * 4 + 3] = layer.mask.data[i] ?? 0;
  }
  const resized = await sharp(rgba, {
    raw: { width: layer.rgb.width, height: layer.rgb.height, channels: 4 },
  })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  const n = width * height;
  const rgb = new Uint8Array(n * 3);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    rgb[i * 3] = resized[i * 4] ?? 0;
    rgb[i * 3 + 1] = resized[i * 4 + 1] ?? 0;
    rgb[i * 3 + 2] = resized[i * 4 + 2] ?? 0;
    mask[i] = resized[i * 4 + 3] ?? 0;
  }
  return { rgb: { data: rgb, width, height }, mask: { data: mask, width, height } };
}
