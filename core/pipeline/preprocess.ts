import sharp from 'sharp';
import type { RgbImage } from '../image/raster.ts';
import type { ModelSpec, ResizeKernel } from '../ports.ts';
import { resizeCornerBilinear } from './corner-bilinear.ts';

/**
 * Stretches the image to size x size, ignoring the aspect ratio, as rembg and imgly both do
 * before inference (the mask is stretched back afterwards). The kernel is the one the weights
 * were trained behind: Lanczos-3 for rembg's models (default), bilinear for imgly's ISNet
 * (`bilinear-corner`: imgly's own corner-aligned sampling, see `resizeCornerBilinear`).
 */
export async function resizeForModel(
  image: RgbImage,
  size: number,
  kernel: ResizeKernel = 'lanczos3',
): Promise<RgbImage> {
  if (image.width === size && image.height === size) return image;
  if (kernel === 'bilinear-corner') {
    const data = resizeCornerBilinear(image.data, image.width, image.height, 3, size, size);
    return { data, width: size, height: size };
  }
  const data = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .resize(size, size, { fit: 'fill', kernel: kernel === 'bilinear' ? 'linear' : 'lanczos3' })
    .raw()
    .toBuffer();
  return { data, width: size, height: size };
}

/**
 * Writes one model-sized image into `out` at image slot `index` as planar float32 (NCHW):
 * every value divided by the image's own maximum (rembg, the default: a dark image is brightened
 * to the full range) or by 255 (`divideByMax: false`, imgly), then (x - mean[c]) / std[c].
 */
export function writeModelTensor(
  image: RgbImage,
  spec: Pick<ModelSpec, 'mean' | 'std' | 'divideByMax'>,
  out: Float32Array,
  index: number,
): void {
  const { data } = image;
  const plane = image.width * image.height;
  let max = 255;
  if (spec.divideByMax !== false) {
    max = 0;
    for (let i = 0; i < data.length; i++) {
      const v = data[i] ?? 0;
      if (v > max) max = v;
    }
  }
  // rembg's guard: max(max, 1e-6), so an all-black image stays all zeros rather than NaN.
  const scale = 1 / Math.max(max, 1e-6);
  const base = index * 3 * plane;
  for (let c = 0; c < 3; c++) {
    const mean = spec.mean[c] ?? 0;
    const invStd = 1 / (spec.std[c] ?? 1);
    const offset = base + c * plane;
    for (let p = 0, s = c; p < plane; p++, s += 3) {
      out[offset + p] = ((data[s] ?? 0) * scale - mean) * invStd;
    }
  }
}

/**
 * The batch tensor for model-sized images: float32, batch x 3 x S x S, written into `out` when
 * given (it must have exactly that length), else into a new array.
 */
export function toModelTensor(
  images: readonly RgbImage[],
  spec: Pick<ModelSpec, 'mean' | 'std' | 'inputSize' | 'divideByMax'>,
  out?: Float32Array,
): Float32Array {
  const plane = spec.inputSize * spec.inputSize;
  const length = images.length * 3 * plane;
  if (out && out.length !== length) {
    throw new RangeError(`tensor buffer has ${out.length} floats, the batch needs ${length}`);
  }
  const tensor = out ?? new Float32Array(length);
  images.forEach((image, index) => {
    if (image.width * image.height !== plane) {
      throw new Error(
        `model input must be ${spec.inputSize}x${spec.inputSize}, got ${image.width}x${image.height}`,
      );
    }
    writeModelTensor(image, spec, tensor, index);
  });
  return tensor;
}
