import { describe, expect, it } from 'vitest';
import {
  outputExtension,
  outputNames,
  sanitizeFileName,
} from '../../../../core/jobs/file-names.ts';
import { parseImageOptions, parseVideoOptions } from '../../../../core/params/convert-params.ts';

describe('sanitizeFileName', () => {
  it('keeps only the last path segment, so traversal cannot escape the job folder', () => {
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFileName('..\\..\\windows\\win.ini')).toBe('win.ini');
    expect(sanitizeFileName('/abs/path/photo.jpg')).toBe('photo.jpg');
  });

  it('removes control characters and header-breaking characters', () => {
    expect(sanitizeFileName('a\u0000b\r\nc\u007f.png')).toBe('abc.png');
    expect(sanitizeFileName('we"ird<name>.jpg')).toBe('we_ird_name_.jpg');
    expect(sanitizeFileName('100%.jpg')).toBe('100_.jpg');
  });

  it('never yields an empty, dot-only or hidden name', () => {
    expect(sanitizeFileName('..')).toBe('file');
    expect(sanitizeFileName('')).toBe('file');
    expect(sanitizeFileName('\u0001\u0002')).toBe('file');
    expect(sanitizeFileName('.env')).toBe('env');
  });

  it('bounds the length but keeps the extension', () => {
    const name = sanitizeFileName(`${'x'.repeat(500)}.jpeg`);
    expect(name.length).toBeLessThanOrEqual(200);
    expect(name.endsWith('.jpeg')).toBe(true);
  });

  it('keeps unicode and spaces', () => {
    expect(sanitizeFileName('café  photo.jpg')).toBe('café photo.jpg');
  });
});

describe('outputNames', () => {
  it('names results <stem>.<ext>, unique within the job', () => {
    expect(outputNames(['a.jpg', 'a.png', 'b.webp', 'A.jpeg'], 'png')).toEqual([
      'a.png',
      'a-2.png',
      'b.png',
      'A-3.png',
    ]);
  });

  it('picks the extension from the options', () => {
    expect(outputExtension(parseImageOptions({}))).toBe('png');
    expect(outputExtension(parseImageOptions({ output_format: 'webp' }))).toBe('webp');
    // The name follows the bytes: a WebP mask is a .webp file.
    expect(outputExtension(parseImageOptions({ output_format: 'webp', only_mask: 'true' }))).toBe(
      'webp',
    );
    expect(outputExtension(parseImageOptions({ output_format: 'jpg', only_mask: 'true' }))).toBe(
      'png',
    );
    expect(outputExtension(parseImageOptions({ output_format: 'webp', channels: 'alpha' }))).toBe(
      'png',
    );
    expect(outputExtension(parseVideoOptions({}))).toBe('mov');
    expect(outputExtension(parseVideoOptions({ video_format: 'gif' }))).toBe('gif');
    expect(outputExtension(parseVideoOptions({ video_format: 'mattekey' }))).toBe('mp4');
    expect(outputExtension(parseVideoOptions({ video_format: 'mp4_con_color' }))).toBe('mp4');
  });
});
