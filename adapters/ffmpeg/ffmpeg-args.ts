import {
  type Backdrop,
  type FrameSource,
  formatFrameRate,
  type VideoPassRequest,
} from '../../core/video/video-codec.ts';

const QUIET = ['-hide_banner', '-nostdin', '-loglevel', 'error'];

// "file:" keeps a name with a colon (or starting with a dash) from being read as a protocol or option.
export function fileArg(file: string): string {
  return `file:${file}`;
}

/**
 * A local file as an input: read through the file protocol only and, when the container was
 * sniffed, as that demuxer only. A playlist, concat script or reference movie therefore cannot
 * make ffmpeg open another file or a URL.
 */
export function fileInputArgs(file: string, container: string | undefined): string[] {
  const format = container === undefined ? [] : ['-format_whitelist', container, '-f', container];
  return ['-protocol_whitelist', 'file', ...format, '-i', fileArg(file)];
}

// Bytes per pixel of the raw formats frames cross the pipe in (PASS_THROUGH_FORMATS, yuv444p).
const BYTES_PER_PIXEL: Readonly<Record<string, number>> = {
  yuv420p: 1.5,
  yuvj420p: 1.5,
  nv12: 1.5,
  yuv422p: 2,
  yuvj422p: 2,
  yuv444p: 3,
  yuvj444p: 3,
  rgb24: 3,
  gbrp: 3,
  yuv420p10le: 3,
  yuv422p10le: 4,
  yuv444p10le: 6,
  yuva420p: 2.5,
  yuva444p: 4,
  rgba: 4,
  yuva444p10le: 8,
};

/** Bytes of one whole frame on the pipe between decoder and encoder. */
export function fullFrameBytes(source: FrameSource): number {
  return Math.ceil(source.width * source.height * (BYTES_PER_PIXEL[transferFormat(source)] ?? 8));
}

/** The fewest frames the encoder queues per input: enough for a batch of one in flight. */
export const MIN_QUEUE_FRAMES = 8;

/**
 * Whole frames the encoder queues, from its byte budget: RAW_QUEUE_FRAMES for ordinary sizes,
 * fewer for very large frames (never under MIN_QUEUE_FRAMES).
 */
export function fullFrameQueue(
  request: Pick<VideoPassRequest, 'source' | 'frameQueueBytes'>,
): number {
  const budget = request.frameQueueBytes;
  if (budget === undefined) return RAW_QUEUE_FRAMES;
  const frames = Math.floor(budget / fullFrameBytes(request.source));
  return Math.max(MIN_QUEUE_FRAMES, Math.min(RAW_QUEUE_FRAMES, frames));
}

/**
 * The pipes between the processes of a pass. Decoder: model frames on stdout, full frames on
 * FULL_FRAMES_OUT. Encoder: the full frames on stdin (the decoder's pipe, handed over), the masks
 * on MASKS_IN and the background picture on BACKDROP_IN.
 */
export const FULL_FRAMES_OUT = 3;
export const MASKS_IN = 3;
export const BACKDROP_IN = 4;

// Raw formats the full frames may cross the pipe in as decoded; anything else is converted to
// 8-bit 4:4:4, which keeps every pixel of an 8-bit source.
const PASS_THROUGH_FORMATS = new Set([
  'yuv420p',
  'yuvj420p',
  'yuv422p',
  'yuvj422p',
  'yuv444p',
  'yuvj444p',
  'yuv420p10le',
  'yuv422p10le',
  'yuv444p10le',
  'yuva420p',
  'yuva444p',
  'yuva444p10le',
  'nv12',
  'rgb24',
  'rgba',
  'gbrp',
]);

/** The pixel format the full frames travel in between the decoder and the encoder. */
export function transferFormat(source: FrameSource): string {
  const format = source.pixelFormat;
  return format !== undefined && PASS_THROUGH_FORMATS.has(format) ? format : 'yuv444p';
}

/**
 * The source's frames at exactly width x height and a constant rate, starting at time 0: the
 * fps filter resamples by timestamp (drops or repeats, never relabels) and `frameLimit` trims
 * the input frames before that.
 */
export function sourceFilters(source: FrameSource): string[] {
  const { width, height } = source;
  const filters: string[] = [];
  if (source.frameLimit !== undefined) filters.push(`trim=end_frame=${source.frameLimit}`);
  filters.push(
    `fps=${formatFrameRate(source.frameRate)}`,
    `scale=${width}:${height}:force_original_aspect_ratio=increase`,
    `crop=${width}:${height}`,
    'setsar=1',
    'setpts=PTS-STARTPTS',
  );
  return filters;
}

/** The layouts that need the full frames in the encoder (a matte is the mask alone). */
export function needsFullFrames(request: Pick<VideoPassRequest, 'layout'>): boolean {
  return request.layout !== 'gray';
}

/**
 * Decodes the source once: model-size rgb24 frames on stdout and, when the output needs them,
 * the same frames whole on FULL_FRAMES_OUT for the encoder. Packets are flushed one by one, so a
 * frame reaches the reader as soon as it is decoded.
 */
export function decoderArgs(request: VideoPassRequest): string[] {
  // `bilinear-corner` (imgly's sampling) gets ffmpeg's centre-aligned bilinear: the mask comes
  // back through ffmpeg's centre-aligned scale, so the input must be sampled the same way.
  const flags = request.kernel === 'lanczos3' ? 'lanczos' : 'bilinear';
  const size = request.modelSize;
  const full = needsFullFrames(request);
  // Scaled in the decoded YUV, then converted: converting the whole frame to RGB first gives
  // the same picture within rounding and cost a third of the decoder's time.
  const toModel = `scale=${size}:${size}:flags=${flags},format=rgb24`;
  const chain = sourceFilters(request.source).join(',');
  const graph = full
    ? `[0:v:0]${chain},split=2[full][m];[m]${toModel}[model]`
    : `[0:v:0]${chain},${toModel}[model]`;
  const args = [
    ...QUIET,
    ...fileInputArgs(request.source.path, request.source.container),
    '-filter_complex',
    graph,
    '-map',
    '[model]',
    '-pix_fmt',
    'rgb24',
    '-f',
    'rawvideo',
    '-flush_packets',
    '1',
    'pipe:1',
  ];
  if (full) {
    args.push(
      '-map',
      '[full]',
      '-pix_fmt',
      transferFormat(request.source),
      '-f',
      'rawvideo',
      '-flush_packets',
      '1',
      `pipe:${FULL_FRAMES_OUT}`,
    );
  }
  return args;
}

function hexColor({ r, g, b }: { r: number; g: number; b: number }): string {
  return `0x${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

interface Inputs {
  readonly args: string[];
  count: number;
}

function addInput(inputs: Inputs, ...args: string[]): number {
  inputs.args.push(...args);
  return inputs.count++;
}

/** A raw input on a pipe: ffmpeg reads a single frame to learn it, not the default 5 MB. */
function rawInput(
  pixelFormat: string,
  size: string,
  rate: string,
  pipe: string,
  queueFrames = RAW_QUEUE_FRAMES,
): string[] {
  return [
    '-protocol_whitelist',
    'pipe',
    '-probesize',
    '32',
    '-analyzeduration',
    '0',
    '-f',
    'rawvideo',
    '-pix_fmt',
    pixelFormat,
    '-s',
    size,
    '-framerate',
    rate,
    '-thread_queue_size',
    String(queueFrames),
    '-i',
    pipe,
  ];
}

/**
 * Frames ffmpeg queues per raw input, at most (whole frames: fewer, see fullFrameQueue). The
 * decoder can run this far ahead of the masks before it waits for the encoder; the reader of
 * model frames must hold fewer than this (with the masks in flight), or the decoder would wait
 * on the encoder while the encoder waits on a mask.
 */
export const RAW_QUEUE_FRAMES = 64;

/** The backdrop as a labelled stream `[backdrop]` of endless frames at the output's rate. */
function backdropGraph(
  backdrop: Backdrop,
  source: FrameSource,
  inputs: Inputs,
  rate: string,
): string | undefined {
  const { width, height } = source;
  switch (backdrop.kind) {
    case 'none':
      return undefined;
    case 'color':
      return `color=c=${hexColor(backdrop.color)}:s=${width}x${height}:r=${rate}[backdrop]`;
    case 'image': {
      // One frame, converted once to the format overlay blends in and repeated by `loop` (an
      // image2 `-loop` would decode the file again, and convert it again, for every frame).
      const index = addInput(
        inputs,
        ...rawInput('rgb24', `${width}x${height}`, rate, `pipe:${BACKDROP_IN}`),
      );
      return `[${index}:v]format=yuv420p,loop=loop=-1:size=1:start=0,setpts=N[backdrop]`;
    }
    case 'video': {
      const index = addInput(
        inputs,
        '-stream_loop',
        '-1',
        ...fileInputArgs(backdrop.path, backdrop.container),
      );
      const chain = sourceFilters({ ...source, path: backdrop.path, frameLimit: undefined });
      return `[${index}:v:0]${chain.join(',')}[backdrop]`;
    }
  }
}

/**
 * The encoder: full frames on stdin (when the layout needs them), masks on MASKS_IN, the backdrop
 * and the audio as further inputs. One filter graph scales each mask to its frame, makes it the
 * frame's alpha and lays the result over the backdrop; then the format's own filter (palette,
 * even-size crop) runs and the result goes into `target`.
 */
export function encoderArgs(request: VideoPassRequest, target: string): string[] {
  const { spec, audio, source } = request;
  const { width, height } = source;
  const rate = formatFrameRate(source.frameRate);
  const inputs: Inputs = { args: [], count: 0 };
  const graph: string[] = [];
  let frameIndex: number | undefined;
  if (needsFullFrames(request)) {
    frameIndex = addInput(
      inputs,
      ...rawInput(
        transferFormat(source),
        `${width}x${height}`,
        rate,
        'pipe:0',
        fullFrameQueue(request),
      ),
    );
  }
  const maskIndex = addInput(
    inputs,
    ...rawInput('gray', `${request.modelSize}x${request.modelSize}`, rate, `pipe:${MASKS_IN}`),
  );
  graph.push(`[${maskIndex}:v]scale=${width}:${height}:flags=bilinear,format=gray[mask]`);
  if (frameIndex === undefined) {
    graph.push('[mask]null[composed]');
  } else {
    // shortest: should the two ever disagree by a frame, the output ends instead of waiting.
    graph.push(`[${frameIndex}:v][mask]alphamerge=shortest=1[subject]`);
    const under = backdropGraph(request.backdrop, source, inputs, rate);
    if (under === undefined) graph.push('[subject]null[composed]');
    else graph.push(under, '[backdrop][subject]overlay=shortest=1[composed]');
  }
  graph.push(`[composed]${spec.videoFilter ?? 'null'}[video]`);

  let audioIndex: number | undefined;
  if (audio !== undefined && spec.audioCodec !== undefined) {
    const trim: string[] = [];
    // A looped input must not also get an input -t: ffmpeg 5.1 then loops forever; -shortest
    // ends it with the video instead.
    if (audio.loop) trim.push('-stream_loop', '-1');
    else if (request.maxDurationSeconds !== undefined) {
      trim.push('-t', request.maxDurationSeconds.toFixed(3));
    }
    audioIndex = addInput(inputs, ...trim, '-vn', ...fileInputArgs(audio.path, audio.container));
  }

  const args = [...QUIET, '-y', ...inputs.args, '-filter_complex', graph.join(';')];
  args.push('-map', '[video]');
  if (audioIndex !== undefined) args.push('-map', `${audioIndex}:a:0?`);
  args.push('-c:v', spec.videoCodec);
  if (spec.pixelFormat !== undefined) args.push('-pix_fmt', spec.pixelFormat);
  for (const [name, value] of spec.videoOptions) args.push(`-${name}`, value);
  if (audioIndex !== undefined && spec.audioCodec !== undefined) {
    args.push('-c:a', spec.audioCodec);
    for (const [name, value] of spec.audioOptions) args.push(`-${name}`, value);
    // The video ends when the frames end; the audio must not run on past it.
    args.push('-shortest');
  } else {
    args.push('-an');
  }
  // ffmpeg stops writing at the limit and exits as if done; the pass notices and fails.
  if (request.maxOutputBytes !== undefined) args.push('-fs', String(request.maxOutputBytes));
  args.push('-f', spec.container, target);
  return args;
}
