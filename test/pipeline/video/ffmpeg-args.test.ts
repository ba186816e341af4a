import { describe, expect, it } from 'vitest';
import {
  BACKDROP_IN,
  decoderArgs,
  encoderArgs,
  FULL_FRAMES_OUT,
  MASKS_IN,
  transferFormat,
} from '../../../adapters/ffmpeg/ffmpeg-args.ts';
import { locateFfmpeg } from '../../../adapters/ffmpeg/ffmpeg-binaries.ts';
import { parseVideoOptions } from '../../../core/params/convert-params.ts';
import { videoOutputSpec } from '../../../core/video/output-formats.ts';
import type { VideoPassRequest } from '../../../core/video/video-codec.ts';

const source = {
  path: '/v/a:b.mp4',
  width: 64,
  height: 48,
  frameRate: { num: 30000, den: 1001 },
  pixelFormat: 'yuv420p',
} as const;

function request(fields: Record<string, string>, extra: Partial<VideoPassRequest> = {}) {
  const output = videoOutputSpec(parseVideoOptions(fields));
  const pass: VideoPassRequest = {
    source,
    modelSize: 32,
    kernel: 'lanczos3',
    outputPath: 'out',
    layout: output.layout,
    backdrop: { kind: 'none' },
    spec: output.encoder,
    ...extra,
  };
  return pass;
}

const graphOf = (args: string[]) => args[args.indexOf('-filter_complex') + 1] ?? '';

describe('decoderArgs', () => {
  it('trims input frames before resampling, fits the size, and splits off the model frames', () => {
    const args = decoderArgs(
      request({ video_format: 'mov' }, { source: { ...source, frameLimit: 12 } }),
    );
    const graph = graphOf(args);
    expect(graph.indexOf('trim=end_frame=12')).toBeLessThan(graph.indexOf('fps=30000/1001'));
    expect(graph).toContain('crop=64:48');
    expect(graph).toContain('split=2[full][m]');
    expect(graph).toContain('scale=32:32:flags=lanczos');
    expect(args).toContain('file:/v/a:b.mp4');
    // Model frames on stdout, the whole frames on fd 3 in the source's own pixel format.
    expect(args.indexOf('pipe:1')).toBeLessThan(args.indexOf(`pipe:${FULL_FRAMES_OUT}`));
    expect(args.join(' ')).toContain('-map [full] -pix_fmt yuv420p -f rawvideo -flush_packets 1');
  });

  it('uses the model kernel, and sends no whole frames for a matte', () => {
    const args = decoderArgs(request({ video_format: 'mattekey' }, { kernel: 'bilinear' }));
    expect(graphOf(args)).toContain('scale=32:32:flags=bilinear');
    expect(graphOf(args)).not.toContain('split');
    expect(args).not.toContain(`pipe:${FULL_FRAMES_OUT}`);
  });
});

describe('transferFormat', () => {
  it('keeps common decoded formats and converts the rest to 8-bit 4:4:4', () => {
    expect(transferFormat({ ...source, pixelFormat: 'yuv422p10le' })).toBe('yuv422p10le');
    expect(transferFormat({ ...source, pixelFormat: 'pal8' })).toBe('yuv444p');
    expect(transferFormat({ ...source, pixelFormat: undefined })).toBe('yuv444p');
  });
});

describe('encoderArgs', () => {
  it('takes whole frames on stdin and masks on fd 3, and cuts the input audio to the video', () => {
    const args = encoderArgs(
      request(
        { video_format: 'mov' },
        { audio: { path: 'in.mp4', loop: false }, maxDurationSeconds: 0.4 },
      ),
      'tmp',
    );
    const line = args.join(' ');
    expect(line).toContain('-f rawvideo -pix_fmt yuv420p -s 64x48 -framerate 30000/1001');
    expect(line).toContain(`-pix_fmt gray -s 32x32 -framerate 30000/1001`);
    expect(line).toContain(`-i pipe:${MASKS_IN}`);
    expect(line).toContain('-t 0.400 -vn -protocol_whitelist file -i file:in.mp4');
    expect(graphOf(args)).toContain('scale=64:48:flags=bilinear,format=gray[mask]');
    expect(graphOf(args)).toContain('[0:v][mask]alphamerge=shortest=1[subject]');
    expect(line).toContain('-c:v prores_ks -pix_fmt yuva444p10le -profile:v 4');
    expect(args).toContain('-shortest');
    expect(args.slice(-3)).toEqual(['-f', 'mov', 'tmp']);
  });

  it('loops background audio without an input duration (ffmpeg 5.1 would loop forever)', () => {
    const args = encoderArgs(
      request(
        { video_format: 'video_over_video' },
        {
          backdrop: { kind: 'video', path: 'bg.mp4' },
          audio: { path: 'bg.mp4', loop: true },
          maxDurationSeconds: 1,
        },
      ),
      'tmp',
    );
    expect(args.join(' ')).toContain('-stream_loop -1 -vn -protocol_whitelist file -i file:bg.mp4');
    expect(args).not.toContain('-t');
    expect(graphOf(args)).toContain('[backdrop][subject]overlay=shortest=1');
  });

  it('lays the subject over a colour or over the picture on fd 4, repeated', () => {
    const color = encoderArgs(
      request(
        { video_format: 'mp4_with_color' },
        { backdrop: { kind: 'color', color: { r: 0, g: 255, b: 16 } } },
      ),
      'tmp',
    );
    expect(graphOf(color)).toContain('color=c=0x00ff10:s=64x48:r=30000/1001[backdrop]');
    const image = encoderArgs(
      request(
        { video_format: 'video_over_image' },
        { backdrop: { kind: 'image', rgb: new Uint8Array(64 * 48 * 3) } },
      ),
      'tmp',
    );
    expect(image.join(' ')).toContain(`-pix_fmt rgb24 -s 64x48`);
    expect(image).toContain(`pipe:${BACKDROP_IN}`);
    expect(graphOf(image)).toContain('loop=loop=-1:size=1:start=0');
  });

  it('drops audio for GIF and builds the palette per frame; a matte needs no whole frames', () => {
    const gif = encoderArgs(
      request({ video_format: 'gif' }, { audio: { path: 'in.mp4', loop: false } }),
      'tmp',
    );
    expect(gif).toContain('-an');
    expect(gif).not.toContain('file:in.mp4');
    expect(graphOf(gif)).toContain('palettegen=stats_mode=single');
    // Alpha cut to 0/255 and hidden colours cleared before the palette is counted, not after.
    const graph = graphOf(gif);
    expect(
      graph.indexOf("lutrgb=a='if(gte(val,128),255,0)',premultiply=inplace=1"),
    ).toBeGreaterThan(graph.indexOf('alphamerge'));
    expect(graph.indexOf('premultiply')).toBeLessThan(graph.indexOf('palettegen'));
    expect(graph).toContain('paletteuse=new=1:alpha_threshold=128');
    const opaque = encoderArgs(request({ video_format: 'gif_with_bg' }), 'tmp');
    expect(graphOf(opaque)).not.toContain('premultiply');
    const matte = encoderArgs(request({ video_format: 'mattekey' }), 'tmp');
    expect(matte).not.toContain('pipe:0');
    expect(graphOf(matte)).not.toContain('alphamerge');
  });
});

describe('inputs and output bounds', () => {
  it('reads every file input as its sniffed container, from local files only', () => {
    const withContainer = { ...source, container: 'mov' };
    const decoder = decoderArgs(request({ video_format: 'mov' }, { source: withContainer }));
    expect(decoder.join(' ')).toContain(
      '-protocol_whitelist file -format_whitelist mov -f mov -i file:/v/a:b.mp4',
    );
    const encoder = encoderArgs(
      request(
        { video_format: 'video_over_video' },
        {
          source: withContainer,
          backdrop: { kind: 'video', path: 'bg', container: 'matroska' },
          audio: { path: 'bg', container: 'matroska', loop: true },
        },
      ),
      'tmp',
    ).join(' ');
    expect(encoder).toContain(
      '-stream_loop -1 -protocol_whitelist file -format_whitelist matroska -f matroska -i file:bg',
    );
    // Pipes are pipes only.
    expect(encoder).toContain(`-protocol_whitelist pipe -probesize 32`);
    expect(encoder).not.toMatch(/-i (?!file:|pipe:)/);
  });

  it('caps the output with -fs and sizes the whole-frame queue from its byte budget', () => {
    const big = { ...source, width: 3840, height: 2160, pixelFormat: 'yuv444p' };
    const args = encoderArgs(
      request(
        { video_format: 'mov' },
        { source: big, maxOutputBytes: 1_000_000, frameQueueBytes: 256 * 1024 ** 2 },
      ),
      'tmp',
    );
    expect(args.join(' ')).toContain('-fs 1000000 -f mov tmp');
    // 256 MiB / 24.9 MB a frame: 10 whole frames; the masks keep their usual queue.
    const queues = args.flatMap((a, i) => (a === '-thread_queue_size' ? [args[i + 1]] : []));
    expect(queues).toEqual(['10', '64']);
  });
});

describe('locateFfmpeg', () => {
  it('says how to install ffmpeg when it is nowhere', () => {
    expect(() => locateFfmpeg({ PATH: '/nonexistent' })).toThrow(/ffmpeg not found.*FFMPEG_PATH/);
  });

  it('refuses an FFMPEG_PATH that is not executable', () => {
    expect(() => locateFfmpeg({ FFMPEG_PATH: '/nonexistent/ffmpeg', PATH: '' })).toThrow(
      /FFMPEG_PATH/,
    );
  });

  it('finds both on PATH', () => {
    const found = locateFfmpeg({ PATH: process.env.PATH });
    expect(found.ffmpeg).toMatch(/ffmpeg$/);
    expect(found.ffprobe).toMatch(/ffprobe$/);
  });
});
