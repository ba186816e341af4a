import sharp from 'sharp';
import type { ImageFormat } from '../params/convert-params.ts';
import type { EncodableRaster } from './compose-background.ts';

export const CONTENT_TYPES: Readonly<Record<ImageFormat, string>> = {
  png: 'image/png',
  webp: 'image/webp',
  jpg: 'image/jpeg',
};

/**
 * Encodes a raster. PNG is lossless; zlib level 6 without adaptive filtering is a speed/size
 * middle ground that keeps encoding a small share of the pipeline. WebP is lossy colour
 * (quality 90) with a lossless alpha plane, so cut-out edges are not blocky. JPEG: quality 90.
 */
export async function encodeRaster(raster: EncodableRaster, format: ImageFormat): Promise<Buffer> {
  const input = sharp(raster.data, {
    raw: { width: raster.width, height: raster.height, channels: raster.channels },
  });
  // Without this a one-band mask would be widened to sRGB and stored as three equal channels.
  const pipeline = raster.channels === 1 ? input.toColourspace('b-w') : input;
  if (format === 'webp')
    return pipeline.webp({ quality: 90, alphaQuality: 100, effort: 4 }).toBuffer();
  // JPEG is only chosen for opaque output (parseImageOptions refuses it otherwise).
  if (format === 'jpg') return pipeline.jpeg({ quality: 90, mozjpeg: true }).toBuffer();
  return pipeline.png({ compressionLevel: 6, adaptiveFiltering: false }).toBuffer();
}
