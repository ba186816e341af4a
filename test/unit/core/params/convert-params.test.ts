import { describe, expect, it } from 'vitest';
import { CutoutError } from '../../../../core/errors.ts';
import {
  MAX_ALPHA_BASE_SIZE,
  parseConvertOptions,
  parseImageOptions,
  parseVideoOptions,
} from '../../../../core/params/convert-params.ts';

function errorOf(fn: () => unknown): CutoutError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CutoutError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('parseImageOptions', () => {
  it('applies the seed defaults when only convert_to is sent', () => {
    const options = parseConvertOptions({ convert_to: 'image-backgroundremover', lang: 'en' });
    expect(options).toEqual({
      kind: 'image',
      model: 'u2net',
      alphaMatting: {
        enabled: false,
        foregroundThreshold: 240,
        backgroundThreshold: 10,
        erodeSize: 10,
        baseSize: 1000,
      },
      onlyMask: false,
      background: { type: 'transparent' },
      postProcessMask: false,
      format: 'png',
      maskRefinement: { shift: 0, feather: 0, despill: false },
      refine: false,
    });
  });

  it('reads form strings, JSON numbers and booleans alike', () => {
    const fromForm = parseImageOptions({ alpha_matting: 'on', alpha_fg: '200', only_mask: '1' });
    const fromJson = parseImageOptions({ alpha_matting: true, alpha_fg: 200, only_mask: true });
    expect(fromForm).toEqual(fromJson);
    expect(fromForm.alphaMatting.foregroundThreshold).toBe(200);
  });

  it('treats blank fields as unset, as PHP clients send them', () => {
    expect(parseImageOptions({ alpha_fg: '', model: '' }).alphaMatting.foregroundThreshold).toBe(
      240,
    );
  });

  it('parses colour backgrounds in short and long hex', () => {
    const options = parseImageOptions({ bg_type: 'color', bg_color_value: '#0a0' });
    expect(options.background).toEqual({
      type: 'color',
      color: { r: 0, g: 170, b: 0, alpha: 255 },
    });
    expect(parseImageOptions({ bg_type: 'Color', bg_color_value: '11223380' }).background).toEqual({
      type: 'color',
      color: { r: 0x11, g: 0x22, b: 0x33, alpha: 0x80 },
    });
  });

  it.each([
    [{ alpha_erode: '0' }, 'alpha_erode: must be an integer from 1 to 25'],
    [{ alpha_erode: '26' }, 'alpha_erode: must be an integer from 1 to 25'],
    [{ alpha_fg: '1.5' }, 'alpha_fg: must be an integer from 0 to 255'],
    [{ alpha_bg: '-1' }, 'alpha_bg: must be an integer from 0 to 255'],
    [{ only_mask: 'maybe' }, 'only_mask: must be true or false'],
    [{ bg_type: 'blur' }, 'bg_type: must be one of transparent, color, image'],
    [{ bg_color_value: 'reddish' }, 'bg_color_value: must be a hex colour'],
    [{ model: '../etc/passwd' }, 'model: not a model id'],
    [{ output_format: 'gif' }, 'output_format: must be one of png, webp'],
  ])('rejects %j naming the field', (fields, message) => {
    const error = errorOf(() => parseImageOptions(fields));
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message.startsWith(message)).toBe(true);
  });
});

describe('parseVideoOptions', () => {
  it('accepts the reference Spanish spellings of the formats', () => {
    expect(parseVideoOptions({ video_format: 'video_sobre_imagen' }).format).toBe(
      'video_over_image',
    );
    expect(parseVideoOptions({ video_format: 'gif con bg' }).format).toBe('gif_with_bg');
    expect(parseVideoOptions({ video_format: 'mp4_con_color' }).format).toBe('mp4_with_color');
    expect(parseVideoOptions({ video_format: 'Video Over Video' }).format).toBe('video_over_video');
  });

  it('leaves framerate and frame_limit unset unless given', () => {
    const options = parseVideoOptions({});
    expect(options.framerate).toBeUndefined();
    expect(options.frameLimit).toBeUndefined();
    expect(options.format).toBe('mov');
    expect(options.bgColor).toEqual({ r: 0, g: 255, b: 0, alpha: 255 });
  });

  it('caps alpha_base_size (matting memory grows with its square) with a 400 naming it', () => {
    expect(MAX_ALPHA_BASE_SIZE).toBe(4096);
    expect(parseImageOptions({ alpha_base_size: '4096' }).alphaMatting.baseSize).toBe(4096);
    for (const parse of [parseImageOptions, parseVideoOptions]) {
      const error = errorOf(() => parse({ alpha_base_size: '4097' }));
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.field).toBe('alpha_base_size');
      expect(error.message).toBe("alpha_base_size: must be an integer from 64 to 4096, got '4097'");
    }
  });

  it('takes refine (default off), while the other mask refinements stay images only', () => {
    expect(parseVideoOptions({}).refine).toBe(false);
    expect(parseVideoOptions({ refine: 'true' }).refine).toBe(true);
    expect(parseVideoOptions({ refine: true }).refine).toBe(true);
    expect(errorOf(() => parseVideoOptions({ refine: 'perhaps' })).field).toBe('refine');
    const error = errorOf(() => parseVideoOptions({ refine: 'true', mask_feather: '4' }));
    expect(error.field).toBe('mask_feather');
    expect(error.message).toMatch(/images only/);
  });

  it('validates framerate to 1-60', () => {
    expect(parseVideoOptions({ framerate: '60' }).framerate).toBe(60);
    expect(errorOf(() => parseVideoOptions({ framerate: '61' })).message).toMatch(/^framerate: /);
    expect(errorOf(() => parseVideoOptions({ frame_limit: '0' })).message).toMatch(
      /^frame_limit: /,
    );
  });
});

describe('parseConvertOptions', () => {
  it('requires convert_to and names it', () => {
    expect(errorOf(() => parseConvertOptions({})).message).toMatch(/^convert_to: is required/);
    expect(errorOf(() => parseConvertOptions({ convert_to: 'pdf' })).message).toMatch(
      /^convert_to: /,
    );
  });

  it('dispatches on convert_to', () => {
    expect(parseConvertOptions({ convert_to: 'video-backgroundremover' }).kind).toBe('video');
  });
});
