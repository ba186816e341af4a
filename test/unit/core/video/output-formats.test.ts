import { describe, expect, it } from 'vitest';
import { parseVideoOptions, VIDEO_FORMATS } from '../../../../core/params/convert-params.ts';
import { videoOutputSpec } from '../../../../core/video/output-formats.ts';

describe('videoOutputSpec', () => {
  it.each(VIDEO_FORMATS)('%s has a container, a codec and an extension', (format) => {
    const spec = videoOutputSpec(parseVideoOptions({ video_format: format }));
    expect(spec.format).toBe(format);
    expect(spec.extension).toMatch(/^(mov|mp4|gif|webm)$/);
    expect(spec.encoder.videoCodec.length).toBeGreaterThan(0);
  });

  it('keeps alpha in mov (ProRes 4444 or qtrle), webm and gif', () => {
    const prores = videoOutputSpec(parseVideoOptions({ video_format: 'mov' }));
    expect(prores.layout).toBe('rgba');
    expect(prores.encoder.pixelFormat).toBe('yuva444p10le');
    const qtrle = videoOutputSpec(parseVideoOptions({ video_format: 'mov', mov_codec: 'qtrle' }));
    expect(qtrle.encoder).toMatchObject({ videoCodec: 'qtrle', pixelFormat: 'argb' });
    expect(videoOutputSpec(parseVideoOptions({ video_format: 'webm' })).encoder.pixelFormat).toBe(
      'yuva420p',
    );
    expect(videoOutputSpec(parseVideoOptions({ video_format: 'gif' })).layout).toBe('rgba');
  });

  it('puts a colour under transparent formats when video_bg_color_enabled is set', () => {
    const spec = videoOutputSpec(
      parseVideoOptions({ video_format: 'gif', video_bg_color_enabled: 'on' }),
    );
    expect(spec).toMatchObject({ layout: 'rgb24', background: 'color' });
  });

  it('takes the audio of the background video for video_over_video, none for GIF', () => {
    expect(videoOutputSpec(parseVideoOptions({ video_format: 'video_over_video' })).audioFrom).toBe(
      'background',
    );
    expect(videoOutputSpec(parseVideoOptions({ video_format: 'gif_with_bg' })).audioFrom).toBe(
      'none',
    );
  });

  it('accepts the Spanish spellings', () => {
    expect(videoOutputSpec(parseVideoOptions({ video_format: 'video_sobre_imagen' })).format).toBe(
      'video_over_image',
    );
  });
});
