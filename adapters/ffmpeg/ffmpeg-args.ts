import {
  type DecodeRequest,
  type EncodeRequest,
  formatFrameRate,
} from '../../core/video/video-codec.ts';

const QUIET = ['-hide_banner', '-nostdin', '-loglevel', 'error'];

// "file:" keeps a name with a colon (or starting with a dash) from being read as a protocol or option.
export function fileArg(file: string): string {
  return `file:${file}`;
}

/**
 * Raw rgb24 frames on stdout at exactly width x height and a constant `frameRate`: the fps
 * filter resamples by timestamp (it drops or repeats frames, never relabels them), so the
 * output's timing matches the source's whatever the container claims. `frameLimit` trims the
 * input frames before resampling.
 */
export function decoderArgs(request: DecodeRequest): string[] {
  const { width, height } = request;
  const filters: string[] = [];
  if (request.frameLimit !== undefined) filters.push(`trim=end_frame=${request.frameLimit}`);
  filters.push(
    `fps=${formatFrameRate(request.frameRate)}`,
    `scale=${width}:${height}:force_original_aspect_ratio=increase`,
    `crop=${width}:${height}`,
    'setsar=1',
  );
  const model = request.modelFrame;
  if (model) {
    // Converted to RGB once, then split: the model frame is scaled from the same RGB pixels
    // the full frame carries, as an in-process resize of that frame would be.
    // `bilinear-corner` (imgly's sampling) gets ffmpeg's bilinear: the video path brings the
    // mask back centre-aligned, so its input must stay centre-aligned too.
    const flags = model.kernel === 'lanczos3' ? 'lanczos' : 'bilinear';
    const graph = `[0:v:0]${filters.join(',')},format=rgb24,split=2[full][m];[m]scale=${model.size}:${model.size}:flags=${flags}+accurate_rnd,setsar=1[small]`;
    return [
      ...QUIET,
      ...(request.loop ? ['-stream_loop', '-1'] : []),
      '-i',
      fileArg(request.path),
      '-filter_complex',
      graph,
      '-map',
      '[full]',
      '-pix_fmt',
      'rgb24',
      '-f',
      'rawvideo',
      'pipe:1',
      '-map',
      '[small]',
      '-pix_fmt',
      'rgb24',
      '-f',
      'rawvideo',
      'pipe:3',
    ];
  }
  return [
    ...QUIET,
    ...(request.loop ? ['-stream_loop', '-1'] : []),
    '-i',
    fileArg(request.path),
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-dn',
    '-vf',
    filters.join(','),
    '-pix_fmt',
    'rgb24',
    '-f',
    'rawvideo',
    'pipe:1',
  ];
}

/** Raw frames on stdin, the audio (when wanted) from a file, the result into `target`. */
export function encoderArgs(request: EncodeRequest, target: string): string[] {
  const { spec, audio } = request;
  const withAudio = audio !== undefined && spec.audioCodec !== undefined;
  const args = [
    ...QUIET,
    '-y',
    '-f',
    'rawvideo',
    '-pix_fmt',
    request.layout,
    '-s',
    `${request.width}x${request.height}`,
    '-framerate',
    formatFrameRate(request.frameRate),
    '-i',
    'pipe:0',
  ];
  if (withAudio) {
    // A looped input must not also get an input -t: ffmpeg 5.1 then loops forever; -shortest
    // ends it with the video instead.
    if (audio.loop) args.push('-stream_loop', '-1');
    else if (request.maxDurationSeconds !== undefined) {
      args.push('-t', request.maxDurationSeconds.toFixed(3));
    }
    args.push('-vn', '-i', fileArg(audio.path));
  }
  args.push('-map', '0:v:0');
  if (withAudio) args.push('-map', '1:a:0?');
  if (spec.videoFilter !== undefined) args.push('-vf', spec.videoFilter);
  args.push('-c:v', spec.videoCodec);
  if (spec.pixelFormat !== undefined) args.push('-pix_fmt', spec.pixelFormat);
  for (const [name, value] of spec.videoOptions) args.push(`-${name}`, value);
  if (withAudio && spec.audioCodec !== undefined) {
    args.push('-c:a', spec.audioCodec);
    for (const [name, value] of spec.audioOptions) args.push(`-${name}`, value);
    // The video ends when the frames end; the audio must not run on past it.
    args.push('-shortest');
  } else {
    args.push('-an');
  }
  args.push('-f', spec.container, target);
  return args;
}
