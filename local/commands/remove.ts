import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import pLimit from 'p-limit';
import { createHeifWasmDecoder } from '../../adapters/image/heif-wasm-decoder.ts';
import { isModelPath } from '../../adapters/onnx/segmenter-provider.ts';
import { CutoutError, invalidField, problemAfterFile, toCutoutError } from '../../core/errors.ts';
import { DEFAULT_MAX_IMAGE_BYTES } from '../../core/jobs/job-limits.ts';
import {
  type ImageOptions,
  parseImageOptions,
  type RawFields,
} from '../../core/params/convert-params.ts';
import type { HeifDecoder } from '../../core/pipeline/heif-decoder.ts';
import { DEFAULT_MAX_PIXELS } from '../../core/pipeline/limits.ts';
import {
  type RemoveBackgroundResult,
  removeBackground,
} from '../../core/pipeline/remove-background.ts';
import type { Segmenter } from '../../core/ports.ts';
import { openCliModels } from './cli-models.ts';
import { withFlagNames } from './flag-names.ts';
import { isUrlInput, type UrlInputs, urlInputs } from './url-inputs.ts';

/** Extensions picked up when a folder is given (files named explicitly are always tried). */
const IMAGE_EXTENSIONS = new Set([
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.avif',
  '.heic',
  '.heif',
  '.tif',
  '.tiff',
  '.gif',
]);

/** The flag that sets each request field, so validation errors name what the user typed. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  model: '--model',
  only_mask: '--only-mask',
  bg_color_value: '--bg-color',
  post_process_mask: '--post-process-mask',
  output_format: '--format',
  crop: '--crop',
  crop_margin: '--crop-margin',
  scale: '--scale',
  position: '--position',
  size: '--size',
  channels: '--channels',
  mask_shift: '--mask-shift',
  mask_feather: '--mask-feather',
  despill: '--despill',
  refine: '--refine',
  image_url: '--image-url',
  alpha_matting: '--alpha-matting',
  alpha_fg: '--alpha-fg',
  alpha_bg: '--alpha-bg',
  alpha_erode: '--alpha-erode',
  alpha_base_size: '--alpha-base-size',
};

interface RemoveFlags {
  readonly output: string;
  readonly model?: string;
  readonly onlyMask?: boolean;
  readonly bgColor?: string;
  readonly bgImage?: string;
  readonly postProcessMask?: boolean;
  readonly format?: string;
  readonly outputFormat?: string;
  readonly crop?: boolean;
  readonly cropMargin?: string;
  readonly scale?: string;
  readonly position?: string;
  readonly size?: string;
  readonly channels?: string;
  readonly maskShift?: string;
  readonly maskFeather?: string;
  readonly despill?: boolean;
  readonly refine?: boolean;
  readonly imageUrl: string[];
  readonly concurrency: string;
  readonly maxPixels: string;
  readonly alphaMatting?: boolean;
  readonly alphaFg?: string;
  readonly alphaBg?: string;
  readonly alphaErode?: string;
  readonly alphaBaseSize?: string;
}

interface Failure {
  readonly file: string;
  readonly error: CutoutError;
}

/** `cutout remove <files or folders...> -o <dir>`: the image pipeline on local files, no queue. */
export function removeCommand(env: Record<string, string | undefined> = process.env): Command {
  return new Command('remove')
    .description('Remove the background of images; writes <dir>/<name>.png (or .webp, .jpg)')
    .argument('[inputs...]', 'image files, folders of images, or http(s) image URLs')
    .requiredOption('-o, --output <dir>', 'folder for the results (created when missing)')
    .option(
      '-m, --model <id|path>',
      'manifest id (see `cutout models list`) or path to an .onnx file (default: u2net)',
    )
    .option('--only-mask', 'write the grayscale mask instead of the cut-out')
    .option('--bg-color <hex>', 'composite over a colour, e.g. #ffffff (#rrggbbaa keeps alpha)')
    .option('--bg-image <file>', 'composite over an image, scaled to cover and centre-cropped')
    .option('--post-process-mask', 'smooth and binarise the mask (rembg post_process_mask)')
    .option('--format <png|webp|jpg>', 'output format (jpg needs --bg-color or --bg-image)', 'png')
    .option('--output-format <png|webp|jpg>', 'the same as --format (the API field output_format)')
    .option('--crop', "crop to the subject's bounding box")
    .option('--crop-margin <px|%>', 'with --crop: margin around the subject, e.g. 20 or 10%')
    .option('--scale <%>', "the subject's size in the canvas, e.g. 80% (implies --position center)")
    .option('--position <where>', 'center, top, bottom, left, right, top-left, ... or x%,y%')
    .option(
      '--size <px|Nmp>',
      'largest output: longest side (1024) or megapixels (2mp); never upscales',
    )
    .option('--channels <rgba|alpha>', 'alpha writes the mask alone as a grayscale PNG', 'rgba')
    .option('--mask-shift <px>', 'grow (positive) or shrink (negative) the subject, -20 to 20')
    .option('--mask-feather <px>', 'soften the edge over this many pixels, 0 to 50')
    .option('--despill', "remove the background's colour from the soft edge")
    .option('--refine', 'refine the mask: edges snapped to the photo, solid subject')
    .option(
      '--image-url <url>',
      'an image to fetch, repeatable (the API field image_url; public addresses only)',
      (url: string, urls: string[]) => [...urls, url],
      [] as string[],
    )
    .option('--concurrency <n>', 'images processed at once', '2')
    .option(
      '--max-pixels <n>',
      'refuse inputs with more pixels than this',
      String(DEFAULT_MAX_PIXELS),
    )
    .option('--alpha-matting', 'refine edges with alpha matting')
    .option('--alpha-fg <0-255>', 'alpha matting: mask values above this are foreground')
    .option('--alpha-bg <0-255>', 'alpha matting: mask values below this are background')
    .option('--alpha-erode <1-25>', 'alpha matting: erosion size of the certain regions')
    .option('--alpha-base-size <px>', 'alpha matting: longest side the matting runs at')
    .action(async (inputs: string[], flags: RemoveFlags) => {
      const failures = await runRemove(inputs, flags, env);
      if (failures > 0) process.exitCode = 1;
    });
}

async function runRemove(
  inputs: readonly string[],
  flags: RemoveFlags,
  env: Record<string, string | undefined>,
): Promise<number> {
  const modelIsPath = flags.model !== undefined && isModelPath(flags.model);
  const options = withFlagNames(FLAG_OF_FIELD, () =>
    parseImageOptions(toFields(flags, modelIsPath)),
  );
  const concurrency = positiveInteger(flags.concurrency, '--concurrency');
  const maxPixels = positiveInteger(flags.maxPixels, '--max-pixels');
  const backgroundImage = flags.bgImage ? await readInput(flags.bgImage, '--bg-image') : undefined;

  const urls = withFlagNames(FLAG_OF_FIELD, () =>
    urlInputs([...flags.imageUrl, ...inputs.filter(isUrlInput)], env, DEFAULT_MAX_IMAGE_BYTES),
  );
  const files = [...(await collectFiles(inputs.filter((i) => !isUrlInput(i)))), ...urls.labels];
  if (files.length === 0) throw invalidField('inputs', 'no image files found');
  const outputDir = resolve(flags.output);
  await mkdir(outputDir, { recursive: true });

  const provider = await openCliModels(env, (line) => process.stderr.write(`${line}\n`));
  const failures: Failure[] = [];
  const warnings: string[] = [];
  try {
    const segmenter = await provider.get(modelIsPath && flags.model ? flags.model : options.model);
    const bar =
      files.length > 1 && process.stderr.isTTY
        ? new SingleBar({
            format: 'removing backgrounds {bar} {value}/{total} {file}',
            stream: process.stderr,
            hideCursor: true,
          })
        : undefined;
    bar?.start(files.length, 0, { file: '' });
    const job: FileJob = {
      outputDir,
      options,
      backgroundImage,
      segmenter,
      maxPixels,
      heif: createHeifWasmDecoder(),
      claimed: new Map(),
      urls,
    };
    const limit = pLimit(concurrency);
    await Promise.all(
      files.map((file) =>
        limit(async () => {
          const started = performance.now();
          try {
            const { target, result } = await processFile(file, job);
            const ms = Math.round(performance.now() - started);
            warnings.push(...result.warnings);
            if (!bar) {
              process.stdout.write(`${file} -> ${target} (${ms} ms, ${result.modelId})\n`);
              for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
            }
          } catch (error) {
            failures.push({ file, error: toCutoutError(error, 'PROCESSING_FAILED') });
          } finally {
            bar?.increment(1, { file: basename(file) });
          }
        }),
      ),
    );
    if (bar) {
      bar.stop();
      for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
    }
  } finally {
    await provider.close();
  }

  // Completion order depends on timing; report in the order the files were given.
  failures.sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file));
  const done = files.length - failures.length;
  process.stdout.write(`${done} of ${files.length} done, ${failures.length} failed\n`);
  for (const { file, error } of failures) {
    process.stderr.write(`failed: ${file}: ${error.code}: ${problemAfterFile(file, error)}\n`);
  }
  return failures.length;
}

interface FileJob {
  readonly outputDir: string;
  readonly options: ImageOptions;
  readonly backgroundImage: Uint8Array | undefined;
  readonly segmenter: Segmenter;
  readonly maxPixels: number;
  readonly heif: HeifDecoder;
  /** Output path -> the input that claimed it, so two inputs never write one file. */
  readonly claimed: Map<string, string>;
  /** The inputs that are image URLs, fetched instead of read. */
  readonly urls: UrlInputs;
}

async function processFile(
  file: string,
  job: FileJob,
): Promise<{ target: string; result: RemoveBackgroundResult }> {
  const target = join(
    job.outputDir,
    `${stemOf(job.urls.nameOf(file) ?? file)}.${job.options.format}`,
  );
  const owner = job.claimed.get(target);
  if (owner !== undefined) {
    throw new CutoutError('INVALID_REQUEST', `${target} is already the output of ${owner}`);
  }
  job.claimed.set(target, file);
  const result = await removeBackground(
    {
      image:
        job.urls.nameOf(file) === undefined ? await readInput(file) : await job.urls.read(file),
      options: job.options,
      fileName: file,
      ...(job.backgroundImage ? { backgroundImage: job.backgroundImage } : {}),
    },
    { segmenter: job.segmenter, maxPixels: job.maxPixels, heif: job.heif },
  );
  await writeFile(target, result.data);
  return { target, result };
}

function toFields(flags: RemoveFlags, modelIsPath: boolean): RawFields {
  return {
    model: modelIsPath ? undefined : flags.model,
    only_mask: flags.onlyMask,
    bg_type: flags.bgImage ? 'image' : flags.bgColor ? 'color' : 'transparent',
    bg_color_value: flags.bgColor,
    post_process_mask: flags.postProcessMask,
    output_format: flags.outputFormat ?? flags.format,
    crop: flags.crop,
    crop_margin: flags.cropMargin,
    scale: flags.scale,
    position: flags.position,
    size: flags.size,
    channels: flags.channels,
    mask_shift: flags.maskShift,
    mask_feather: flags.maskFeather,
    despill: flags.despill,
    refine: flags.refine,
    alpha_matting: flags.alphaMatting,
    alpha_fg: flags.alphaFg,
    alpha_bg: flags.alphaBg,
    alpha_erode: flags.alphaErode,
    alpha_base_size: flags.alphaBaseSize,
  };
}

function positiveInteger(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw invalidField(flag, `must be a positive integer, got '${text}'`);
  return n;
}

/** Files as given, plus the image files directly inside each folder (sorted, not recursive). */
async function collectFiles(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (info?.isDirectory()) {
      const names = (await readdir(input)).sort();
      for (const name of names) {
        if (IMAGE_EXTENSIONS.has(extname(name).toLowerCase())) files.push(join(input, name));
      }
    } else {
      // Missing files are kept so the summary reports them with the others.
      files.push(input);
    }
  }
  return files;
}

/** @param flag the flag that named the file; an input file names itself */
async function readInput(path: string, flag?: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new CutoutError('INPUT_NOT_FOUND', `cannot read ${path}`, {
      field: flag ?? path,
      ...(flag === undefined ? { file: path } : { subject: flag }),
      cause: error,
    });
  }
}

function stemOf(file: string): string {
  const name = basename(file);
  const ext = extname(name);
  return ext.length > 0 && ext.length < name.length ? name.slice(0, -ext.length) : name;
}
