import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import sharp from 'sharp';
import { CutoutError } from '../../core/errors.ts';
import type { Mask, RgbImage } from '../../core/image/raster.ts';
import { matteWithTrimap } from '../../core/matting/matte-trimap.ts';

async function readRaster(file: string, channels: 1 | 3): Promise<RgbImage | Mask> {
  const bytes = await readFile(file).catch((cause: unknown) => {
    throw new CutoutError('INPUT_NOT_FOUND', 'cannot be read', { file, cause });
  });
  try {
    const pipeline = sharp(bytes)
      .rotate()
      .toColourspace(channels === 1 ? 'b-w' : 'srgb');
    const { data, info } = await (channels === 1
      ? pipeline.extractChannel(0)
      : pipeline.removeAlpha()
    )
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data), width: info.width, height: info.height };
  } catch (cause) {
    throw new CutoutError('DECODE_FAILED', 'not a readable image', { file, cause });
  }
}

/** `cutout matte <image> <trimap> -o alpha.png`: closed-form matting with a given trimap. */
export function matteCommand(): Command {
  return new Command('matte')
    .description(
      'Closed-form alpha matting with a trimap (0 = background, 255 = foreground, grey = unknown)',
    )
    .argument('<image>', 'input image')
    .argument('<trimap>', 'trimap image, same size (>= 230 foreground, <= 25 background)')
    .requiredOption('-o, --output <alpha.png>', 'where to write the alpha (8-bit grey PNG)')
    .option('--foreground <fg.png>', 'also write the estimated foreground colours (RGB PNG)')
    .option('--timings', 'print {unknownPixels, alphaMs, foregroundMs} as one JSON line')
    .action(
      async (
        imageFile: string,
        trimapFile: string,
        opts: { output: string; foreground?: string; timings?: boolean },
      ) => {
        const image = await readRaster(imageFile, 3);
        const trimap = await readRaster(trimapFile, 1);
        const result = matteWithTrimap(image, trimap);
        const { alpha, foreground } = result;
        await sharp(alpha.data, { raw: { width: alpha.width, height: alpha.height, channels: 1 } })
          .png()
          .toFile(opts.output);
        if (opts.foreground) {
          await sharp(foreground.data, {
            raw: { width: foreground.width, height: foreground.height, channels: 3 },
          })
            .png()
            .toFile(opts.foreground);
        }
        if (opts.timings) {
          const t = result.timings;
          process.stdout.write(
            `${JSON.stringify({
              unknownPixels: t.unknownPixels,
              alphaMs: Math.round(t.alphaMs * 10) / 10,
              foregroundMs: Math.round(t.foregroundMs * 10) / 10,
            })}\n`,
          );
        }
      },
    );
}
