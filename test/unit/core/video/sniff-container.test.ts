import { describe, expect, it } from 'vitest';
import { sniffContainer } from '../../../../core/video/sniff-container.ts';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Uint8Array.from(
    parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)),
  );

function mpegTs(packet: number, offset: number): Uint8Array {
  const out = new Uint8Array(offset + packet * 3);
  for (let i = 0; i < 3; i++) out[offset + i * packet] = 0x47;
  return out;
}

describe('sniffContainer', () => {
  it.each([
    ['MP4', bytes([0, 0, 0, 0x20], 'ftypisom', [0, 0, 2, 0]), 'mov'],
    ['QuickTime opening with moov', bytes([0, 0, 0, 8], 'moov', [0, 0, 0, 0]), 'mov'],
    ['WebM / Matroska', bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f]), 'matroska'],
    ['AVI', bytes('RIFF', [1, 2, 3, 4], 'AVI LIST'), 'avi'],
    ['GIF', bytes('GIF89a', [1, 0, 1, 0]), 'gif'],
    ['Ogg', bytes('OggS', [0, 2]), 'ogg'],
    ['FLV', bytes('FLV', [1, 5]), 'flv'],
    ['MPEG-PS', bytes([0, 0, 1, 0xba, 0x44]), 'mpeg'],
    ['MPEG-TS', mpegTs(188, 0), 'mpegts'],
    ['M2TS', mpegTs(192, 4), 'mpegts'],
  ])('names the demuxer of %s', (_name, head, demuxer) => {
    expect(sniffContainer(head)).toMatchObject({ kind: 'video', demuxer });
  });

  it('refuses HLS playlists, with or without a byte-order mark', () => {
    expect(sniffContainer(bytes('#EXTM3U\n#EXTINF:1,\na.ts\n'))).toEqual({ kind: 'playlist' });
    expect(sniffContainer(bytes([0xef, 0xbb, 0xbf], '#EXTM3U\n'))).toEqual({ kind: 'playlist' });
  });

  it('tells pictures from videos, HEIF and AVIF included', () => {
    expect(sniffContainer(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a]))).toEqual({
      kind: 'image',
      format: 'png',
    });
    expect(sniffContainer(bytes([0, 0, 0, 0x1c], 'ftypavif', [0, 0, 0, 0]))).toEqual({
      kind: 'image',
      format: 'heif',
    });
    expect(sniffContainer(bytes([0xff, 0xd8, 0xff, 0xe0]))).toMatchObject({ kind: 'image' });
  });

  it('knows nothing else: concat scripts, text, SDP, empty files', () => {
    for (const head of [
      bytes('ffconcat version 1.0\n'),
      bytes('v=0\no=- 0 0 IN IP4 127.0.0.1\n'),
      bytes('<?xml version="1.0"?><MPD>'),
      new Uint8Array(),
    ]) {
      expect(sniffContainer(head)).toEqual({ kind: 'unknown' });
    }
  });
});
