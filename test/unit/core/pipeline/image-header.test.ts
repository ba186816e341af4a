import { describe, expect, it } from 'vitest';
import { pngHeaderSize, sniffImageFormat } from '../../../../core/pipeline/image-header.ts';
import { pngClaiming } from '../../../support/bad-images.ts';

const bytes = (...values: number[]) => Uint8Array.from(values);
const text = (s: string) => new TextEncoder().encode(s);

describe('sniffImageFormat', () => {
  it('recognises each accepted format by its signature', () => {
    expect(sniffImageFormat(pngClaiming(1, 1))).toBe('png');
    expect(sniffImageFormat(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('jpeg');
    expect(sniffImageFormat(text('GIF89a'))).toBe('gif');
    expect(sniffImageFormat(text('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(sniffImageFormat(bytes(0x49, 0x49, 0x2a, 0x00))).toBe('tiff');
    expect(sniffImageFormat(bytes(0x4d, 0x4d, 0x00, 0x2a))).toBe('tiff');
    expect(sniffImageFormat(text('\0\0\0\x1cftypavif'))).toBe('heif');
  });

  it('returns undefined for text, RIFF that is not WebP, and short input', () => {
    expect(sniffImageFormat(text('hello world'))).toBeUndefined();
    expect(sniffImageFormat(text('RIFF\0\0\0\0WAVEfmt '))).toBeUndefined();
    expect(sniffImageFormat(bytes(0xff))).toBeUndefined();
  });
});

describe('pngHeaderSize', () => {
  it('reads width and height from IHDR', () => {
    expect(pngHeaderSize(pngClaiming(30000, 12345))).toEqual({ width: 30000, height: 12345 });
  });

  it('reads a header that is all there is (no IDAT, no IEND)', () => {
    expect(pngHeaderSize(pngClaiming(7, 9).subarray(0, 24))).toEqual({ width: 7, height: 9 });
  });

  it('returns undefined for anything else', () => {
    expect(pngHeaderSize(bytes(0xff, 0xd8, 0xff))).toBeUndefined();
    expect(pngHeaderSize(pngClaiming(7, 9).subarray(0, 20))).toBeUndefined();
  });
});
