import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { createFfmpegCodec } from '../../adapters/ffmpeg/ffmpeg-codec.ts';
import { isModelPath } from '../../adapters/onnx/segmenter-provider.ts';
import { CutoutError } from '../../core/errors.ts';
import {
  parseVideoOptions,
  type RawFields,
  VIDEO_FORMATS,
} from '../../core/params/convert-params.ts';
import { videoOutputSpec } from '../../core/video/output-formats.ts';
import { removeVideoBackground } from '../../core/video/remove-video-background.ts';
import { openCliModels } from './cli-models.ts';
import { withFlagNames } from './flag-names.ts';

/** The flag that sets each request field, so validation errors name what the user typed. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  model: '--model',
  video_format: '--format',
  video_bg_color: '--bg-color',
  framerate: '--framerate',
  frame_limit: '--frame-limit',
  mov_codec: '--mov-codec',
  refine: '--refine',
  background: '--bg-image / --bg-video',
};

interface VideoFlags {
  readonly output: string;
  readonly format: string;
  readonly model?: string;
  readonly bgImage?: string;
  readonly bgVideo?: string;
  readonly bgColor?: string;
  readonly framerate?: string;
  readonly frameLimit?: string;
  readonly movCodec?: string;
  readonly refine?: boolean;
  readonly smoothing: boolean;
}

/** `cutout video <file> -o <out>`: the video pipeline on a local file, no queue. */
export function videoCommand(env: Record<string, string | undefined> = process.env): Command {
  return new Command('video')
    .description('Remove the background of a video (needs ffmpeg: FFMPEG_PATH or PATH)')
    .argument('<file>', 'the input video')
    .requiredOption('-o, --output <file|dir>', 'output file, or a folder for <name>.<ext>')
    .option('-f, --format <format>', `one of ${VIDEO_FORMATS.join(', ')}`, 'mov')
    .option(
      '-m, --model <id|path>',
      'manifest id (see `cutout models list`) or path to an .onnx file (default: u2net)',
    )
    .option('--bg-image <file>', 'background image (video_over_image, gif_with_bg)')
    .option('--bg-video <file>', 'background video (video_over_video)')
    .option(
      '--bg-color <hex>',
      'colour for mp4_with_color; for mov, webm and gif: an opaque colour underneath',
    )
    .option('--framerate <1-60>', 'output frames per second (resampled; default: the input rate)')
    .option('--frame-limit <n>', 'read only the first n frames')
    .option('--mov-codec <prores|qtrle>', 'codec of mov output', 'prores')
    .option('--refine', "refine each frame's mask: edges snapped to the frame, solid subject")
    .option('--no-smoothing', 'turn off temporal smoothing of the masks')
    .action(async (file: string, flags: VideoFlags) => {
      await runVideo(file, flags, env);
    });
}

async function runVideo(
  file: string,
  flags: VideoFlags,
  env: Record<string, string | undefined>,
): Promise<void> {
  const modelIsPath = flags.model !== undefined && isModelPath(flags.model);
  const options = withFlagNames(FLAG_OF_FIELD, () =>
    parseVideoOptions(toFields(flags, modelIsPath)),
  );
  if (flags.bgImage && flags.bgVideo) {
    throw new CutoutError('INVALID_REQUEST', '--bg-image and --bg-video: give one of them');
  }
  const spec = videoOutputSpec(options);
  // Checked before the model loads (seconds, or a download): a missing flag should fail at once.
  const needed = { image: '--bg-image', video: '--bg-video' } as const;
  if (spec.background === 'image' || spec.background === 'video') {
    const given = spec.background === 'image' ? flags.bgImage : flags.bgVideo;
    if (!given) {
      throw new CutoutError(
        'INVALID_REQUEST',
        `${needed[spec.background]} (background): --format ${spec.format} needs a background ${spec.background}`,
        { field: 'background' },
      );
    }
  }
  const outputPath = await outputFile(flags.output, file, spec.extension);
  // As `remove` does: `-o out/` names a folder that may not exist yet.
  await mkdir(dirname(outputPath), { recursive: true });
  const codec = createFfmpegCodec({ env });

  const provider = await openCliModels(env, (line) => process.stderr.write(`${line}\n`));
  const controller = new AbortController();
  const interrupt = () => controller.abort(new CutoutError('PROCESSING_FAILED', 'interrupted'));
  process.once('SIGINT', interrupt);
  const bar = process.stderr.isTTY
    ? new SingleBar({
        format: `${basename(file)} {bar} {value}/{total} frames | {fps} fps | eta {eta_formatted}`,
        stream: process.stderr,
        hideCursor: true,
      })
    : undefined;
  const started = performance.now();
  try {
    const segmenter = await provider.get(modelIsPath && flags.model ? flags.model : options.model);
    bar?.start(1, 0, { fps: '-' });
    const result = await withFlagNames(FLAG_OF_FIELD, () =>
      removeVideoBackground(
        {
          inputPath: file,
          options,
          backgroundPath: flags.bgImage ?? flags.bgVideo,
          outputPath,
          signal: controller.signal,
          ...(flags.smoothing ? {} : { smoothing: false as const }),
          onProgress: (done, total) => {
            if (!bar) return;
            const seconds = (performance.now() - started) / 1000;
            bar.setTotal(total ?? Math.max(done, 1));
            bar.update(done, { fps: seconds > 0 ? (done / seconds).toFixed(1) : '-' });
          },
        },
        { segmenter, codec },
      ),
    );
    bar?.stop();
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `${file} -> ${result.outputPath} (${result.frames} frames, ${result.width}x${result.height}, ${seconds.toFixed(1)} s, ${(result.frames / seconds).toFixed(1)} fps, ${result.modelId})\n`,
    );
    for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
  } finally {
    bar?.stop();
    process.off('SIGINT', interrupt);
    await provider.close();
  }
}

function toFields(flags: VideoFlags, modelIsPath: boolean): RawFields {
  const colourFormat = flags.format.replace(/[\s-]+/g, '_').toLowerCase() === 'mp4_with_color';
  return {
    model: modelIsPath ? undefined : flags.model,
    video_format: flags.format,
    video_bg_color: flags.bgColor,
    // A colour given on the command line for a transparent format means "put it underneath".
    video_bg_color_enabled: flags.bgColor !== undefined && !colourFormat ? true : undefined,
    framerate: flags.framerate,
    frame_limit: flags.frameLimit,
    mov_codec: flags.movCodec,
    refine: flags.refine,
  };
}

/** An existing folder (or a path ending in a separator) gets <input stem>.<ext> inside it. */
async function outputFile(output: string, input: string, extension: string): Promise<string> {
  const isDir =
    /[\\/]$/.test(output) ||
    (await stat(output).then(
      (s) => s.isDirectory(),
      () => false,
    ));
  if (!isDir) return resolve(output);
  const name = basename(input);
  const ext = extname(name);
  const stem = ext.length > 0 && ext.length < name.length ? name.slice(0, -ext.length) : name;
  return join(resolve(output), `${stem}.${extension}`);
}
