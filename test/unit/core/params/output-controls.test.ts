import { describe, expect, it } from 'vitest';
import { CutoutError } from '../../../../core/errors.ts';
import { outputExtension } from '../../../../core/jobs/file-names.ts';
import { parseImageOptions, parseVideoOptions } from '../../../../core/params/convert-params.ts';

function errorOf(fn: () => unknown): CutoutError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CutoutError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('output controls: parsing', () => {
  it('keeps every control off by default', () => {
    const o = parseImageOptions({});
    expect([o.crop, o.scale, o.position, o.size, o.format, o.onlyMask]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      'png',
      false,
    ]);
  });

  it('reads crop with a margin in pixels or percent; a margin alone does nothing', () => {
    expect(parseImageOptions({ crop: 'true' }).crop).toEqual({ unit: 'px', value: 0 });
    expect(parseImageOptions({ crop: true, crop_margin: '20' }).crop).toEqual({
      unit: 'px',
      value: 20,
    });
    expect(parseImageOptions({ crop: 'on', crop_margin: '20px' }).crop).toEqual({
      unit: 'px',
      value: 20,
    });
    expect(parseImageOptions({ crop: 1, crop_margin: '12.5%' }).crop).toEqual({
      unit: 'percent',
      value: 12.5,
    });
    expect(parseImageOptions({ crop_margin: '20' }).crop).toBeUndefined();
  });

  it('reads scale as a fraction and position as fractions of the free space', () => {
    expect(parseImageOptions({ scale: '80%' }).scale).toBeCloseTo(0.8);
    expect(parseImageOptions({ scale: 50 }).scale).toBeCloseTo(0.5);
    expect(parseImageOptions({ scale: 'original' }).scale).toBeUndefined();
    expect(parseImageOptions({ position: 'center' }).position).toEqual({ x: 0.5, y: 0.5 });
    expect(parseImageOptions({ position: 'Bottom' }).position).toEqual({ x: 0.5, y: 1 });
    expect(parseImageOptions({ position: 'top-left' }).position).toEqual({ x: 0, y: 0 });
    expect(parseImageOptions({ position: '25%,100%' }).position).toEqual({ x: 0.25, y: 1 });
    expect(parseImageOptions({ position: '30%' }).position).toEqual({ x: 0.3, y: 0.3 });
    expect(parseImageOptions({ position: 'original' }).position).toBeUndefined();
  });

  it('reads size as a longest side or megapixels', () => {
    expect(parseImageOptions({ size: '1024' }).size).toEqual({ kind: 'side', pixels: 1024 });
    expect(parseImageOptions({ size: 512 }).size).toEqual({ kind: 'side', pixels: 512 });
    expect(parseImageOptions({ size: '2MP' }).size).toEqual({ kind: 'megapixels', megapixels: 2 });
    expect(parseImageOptions({ size: '0.5mp' }).size).toEqual({
      kind: 'megapixels',
      megapixels: 0.5,
    });
  });

  it('reads output_format jpg (and jpeg) and channels=alpha as the mask alone', () => {
    const jpg = parseImageOptions({ output_format: 'jpeg', bg_type: 'color' });
    expect(jpg.format).toBe('jpg');
    expect(outputExtension(jpg)).toBe('jpg');
    const alpha = parseImageOptions({ channels: 'alpha', output_format: 'webp' });
    expect(alpha.onlyMask).toBe(true);
    expect(outputExtension(alpha)).toBe('png');
    expect(parseImageOptions({ channels: 'RGBA' }).onlyMask).toBe(false);
  });

  it.each([
    ['crop', 'maybe'],
    ['crop_margin', '-5'],
    ['crop_margin', '120%'],
    ['crop_margin', '20em'],
    ['crop_margin', '99999'],
    ['scale', '0%'],
    ['scale', '150%'],
    ['scale', 'big'],
    ['position', 'middle'],
    ['position', '120%,0%'],
    ['position', '10%,20%,30%'],
    ['size', '8'],
    ['size', '100000'],
    ['size', '1000mp'],
    ['size', 'large'],
    ['output_format', 'gif'],
    ['channels', 'rgb'],
    ['bg_color_value', 'notacolour'],
    ['bg_color_value', '#12345'],
    ['bg_color_value', 'constructor'],
  ])('refuses %s=%s naming the field', (field, value) => {
    const error = errorOf(() => parseImageOptions({ bg_type: 'color', [field]: value }));
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
    expect(error.message).toContain(value);
  });

  it('refuses jpg without an opaque background, naming output_format', () => {
    for (const fields of [
      { output_format: 'jpg' },
      { output_format: 'jpg', bg_type: 'transparent' },
      { output_format: 'jpg', bg_type: 'color', bg_color_value: '#ff000080' },
    ]) {
      const error = errorOf(() => parseImageOptions(fields));
      expect(error.field).toBe('output_format');
      expect(error.message).toMatch(/^output_format: jpg needs an opaque/);
    }
    expect(parseImageOptions({ output_format: 'jpg', bg_type: 'image' }).format).toBe('jpg');
    // The mask alone is opaque grayscale, always written as PNG.
    expect(parseImageOptions({ output_format: 'jpg', channels: 'alpha' }).onlyMask).toBe(true);
  });

  it('refuses the image-only controls on a video job, naming the field', () => {
    for (const field of ['crop', 'crop_margin', 'scale', 'position', 'size', 'channels']) {
      const error = errorOf(() => parseVideoOptions({ [field]: '1' }));
      expect(error.field).toBe(field);
      expect(error.message).toContain('applies to images only');
    }
    // Blank values (PHP sends every field) are not a request.
    expect(parseVideoOptions({ crop: '', size: '' }).kind).toBe('video');
  });
});

describe('bg_color_value', () => {
  const color = (value: string) => {
    const bg = parseImageOptions({ bg_type: 'color', bg_color_value: value }).background;
    return bg.type === 'color' ? bg.color : undefined;
  };

  it('accepts CSS colour names in any case', () => {
    expect(color('rebeccapurple')).toEqual({ r: 0x66, g: 0x33, b: 0x99, alpha: 255 });
    expect(color(' White ')).toEqual({ r: 255, g: 255, b: 255, alpha: 255 });
    expect(color('transparent')).toEqual({ r: 0, g: 0, b: 0, alpha: 0 });
  });

  it('accepts 3-, 4-, 6- and 8-digit hex, with or without #', () => {
    expect(color('#f80')).toEqual({ r: 255, g: 0x88, b: 0, alpha: 255 });
    expect(color('f808')).toEqual({ r: 255, g: 0x88, b: 0, alpha: 0x88 });
    expect(color('#ff8800')).toEqual({ r: 255, g: 0x88, b: 0, alpha: 255 });
    expect(color('FF880040')).toEqual({ r: 255, g: 0x88, b: 0, alpha: 0x40 });
  });

  it('also reads names in video_bg_color', () => {
    expect(parseVideoOptions({ video_bg_color: 'lime' }).bgColor).toEqual({
      r: 0,
      g: 255,
      b: 0,
      alpha: 255,
    });
    expect(errorOf(() => parseVideoOptions({ video_bg_color: 'grn' })).field).toBe(
      'video_bg_color',
    );
  });
});
