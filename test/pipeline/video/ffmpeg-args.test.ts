import { describe, expect, it } from 'vitest';
import { decoderArgs, encoderArgs } from '../../../adapters/ffmpeg/ffmpeg-args.ts';
import { locateFfmpeg } from '../../../adapters/ffmpeg/ffmpeg-binaries.ts';
import { parseVideoOptions } from '../../../core/params/convert-params.ts';
import { videoOutputSpec } from '../../../core/video/output-formats.ts';

const spec = (fields: Record<string, string>) => videoOutputSpec(parseVideoOptions(fields)).encoder;

describe('decoderArgs', () => {
  it('trims input frames before resampling with fps, then fits the exact size', () => {
    const args = decoderArgs({
      path: '/v/a:b.mp4',
      width: 64,
      height: 48,
      frameRate: { num: 30000, den: 1001 },
      frameLimit: 12,
    });
    const vf = args[args.indexOf('-vf') + 1] ?? '';
    expect(vf.indexOf('trim=end_frame=12')).toBeLessThan(vf.indexOf('fps=30000/1001'));
    expect(vf).toContain('crop=64:48');
    expect(args).toContain('file:/v/a:b.mp4');
    expect(args.slice(-4)).toEqual(['rgb24', '-f', 'rawvideo', 'pipe:1']);
    expect(args).not.toContain('-stream_loop');
  });

  it('adds a second raw output of model-size frames on fd 3 when asked, with the model kernel', () => {
    const args = decoderArgs({
      path: 'a.mp4',
      width: 64,
      height: 48,
      frameRate: { num: 10, den: 1 },
      modelFrame: { size: 32, kernel: 'bilinear' },
    });
    expect(args).not.toContain('-vf');
    const graph = args[args.indexOf('-filter_complex') + 1] ?? '';
    expect(graph).toContain('crop=64:48');
    expect(graph).toContain('split=2[full][m]');
    expect(graph).toContain('scale=32:32:flags=bilinear');
    expect(args.indexOf('pipe:1')).toBeLessThan(args.indexOf('pipe:3'));
    const lanczos = decoderArgs({
      path: 'a.mp4',
      width: 64,
      height: 48,
      frameRate: { num: 10, den: 1 },
      modelFrame: { size: 32, kernel: 'lanczos3' },
    });
    expect(lanczos[lanczos.indexOf('-filter_complex') + 1]).toContain('flags=lanczos');
  });

  it('loops a background input', () => {
    const args = decoderArgs({
      path: 'bg.mp4',
      width: 2,
      height: 2,
      frameRate: { num: 5, den: 1 },
      loop: true,
    });
    expect(args.slice(args.indexOf('-stream_loop'), args.indexOf('-stream_loop') + 2)).toEqual([
      '-stream_loop',
      '-1',
    ]);
  });
});

describe('encoderArgs', () => {
  const base = { outputPath: 'o', width: 64, height: 48, frameRate: { num: 10, den: 1 } } as const;

  it('reads raw frames from stdin and cuts the input audio to the video length', () => {
    const args = encoderArgs(
      {
        ...base,
        layout: 'rgba',
        spec: spec({ video_format: 'mov' }),
        audio: { path: 'in.mp4', loop: false },
        maxDurationSeconds: 0.4,
      },
      'tmp',
    );
    expect(args.join(' ')).toContain('-f rawvideo -pix_fmt rgba -s 64x48 -framerate 10 -i pipe:0');
    expect(args.join(' ')).toContain('-t 0.400 -vn -i file:in.mp4');
    expect(args.join(' ')).toContain('-c:v prores_ks -pix_fmt yuva444p10le -profile:v 4');
    expect(args).toContain('-shortest');
    expect(args.slice(-3)).toEqual(['-f', 'mov', 'tmp']);
  });

  it('loops background audio without an input duration (ffmpeg 5.1 would loop forever)', () => {
    const args = encoderArgs(
      {
        ...base,
        layout: 'rgb24',
        spec: spec({ video_format: 'video_over_video' }),
        audio: { path: 'bg.mp4', loop: true },
        maxDurationSeconds: 1,
      },
      'tmp',
    );
    expect(args.join(' ')).toContain('-stream_loop -1 -vn -i file:bg.mp4');
    expect(args).not.toContain('-t');
  });

  it('drops audio for GIF and builds the palette per frame', () => {
    const args = encoderArgs(
      {
        ...base,
        layout: 'rgba',
        spec: spec({ video_format: 'gif' }),
        audio: { path: 'in.mp4', loop: false },
      },
      'tmp',
    );
    expect(args).toContain('-an');
    expect(args).not.toContain('file:in.mp4');
    expect(args[args.indexOf('-vf') + 1]).toContain('palettegen=stats_mode=single');
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
