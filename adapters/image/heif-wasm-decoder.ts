import type heicDecodeModule from 'heic-decode';
import { CutoutError } from '../../core/errors.ts';
import type { DecodedRgba, HeifDecoder } from '../../core/pipeline/heif-decoder.ts';
import { assertWithinPixelLimit } from '../../core/pipeline/limits.ts';

/**
 * HEIC decoding with libheif compiled to WebAssembly (heic-decode over libheif-js): no native
 * build, same result on every platform. libheif applies `irot`/`imir` while decoding. The first
 * top-level picture is the one decoded (for camera files, the primary one). The module (half a
 * second and about 25 MB to instantiate) is loaded on the first HEIC, not at start-up.
 */
export function createHeifWasmDecoder(): HeifDecoder {
  let loaded: Promise<typeof heicDecodeModule> | undefined;
  return {
    async decode(bytes, { maxPixels, label }): Promise<DecodedRgba> {
      loaded ??= import('heic-decode').then((m) => m.default);
      const heicDecode = await loaded;
      let images: Awaited<ReturnType<typeof heicDecode.all>>;
      try {
        images = await heicDecode.all({ buffer: bytes });
      } catch (error) {
        throw failed(label, error);
      }
      try {
        const first = images[0];
        if (!first) throw failed(label, new Error('no picture in the file'));
        // The header's size, before decoding: a bomb is refused without allocating its pixels.
        assertWithinPixelLimit(first.width, first.height, maxPixels, label);
        const said: unknown[] = [];
        const picture = await catchingLibheifLog(said, () => first.decode()).catch(
          (error: unknown) => {
            throw failed(label, libheifReason(said) ?? error);
          },
        );
        const { width, height, data } = picture;
        return {
          width,
          height,
          data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
        };
      } finally {
        images.dispose();
      }
    },
  };
}

/** libheif-js's first word when a decode fails. */
const LIBHEIF_FAILURE = 'Decoding image failed';
let decoding = 0;
let consoleLog: typeof console.log = console.log;
const listeners = new Set<(args: unknown[]) => void>();

/**
 * libheif-js reports a failed decode with console.log (several lines on stdout, where the worker
 * writes one JSON object per line) from a timer, before heic-decode rejects with a bare "HEIF
 * processing error". While any decode runs, console.log passes everything on except those
 * reports, which go to the decodes' listeners for their error messages. Counted, so overlapping
 * decodes put the original back only when the last one ends.
 */
async function catchingLibheifLog<T>(said: unknown[], run: () => Promise<T>): Promise<T> {
  const listener = (args: unknown[]) => {
    said.push(...args);
  };
  listeners.add(listener);
  if (decoding++ === 0) {
    consoleLog = console.log;
    console.log = (...args: unknown[]) => {
      if (args[0] !== LIBHEIF_FAILURE) return consoleLog(...args);
      for (const each of listeners) each(args.slice(1));
    };
  }
  try {
    return await run();
  } finally {
    listeners.delete(listener);
    if (--decoding === 0) console.log = consoleLog;
  }
}

/** libheif's own words ("Invalid input: Unexpected end of file: ...") from what it logged. */
function libheifReason(said: readonly unknown[]): Error | undefined {
  for (const item of said) {
    const message = (item as { message?: unknown } | null)?.message;
    if (typeof message === 'string' && message.trim() !== '') return new Error(message.trim());
  }
  return undefined;
}

function failed(label: string, error: unknown): CutoutError {
  const reason = error instanceof Error ? error.message : String(error);
  return new CutoutError('DECODE_FAILED', `the HEIC data is corrupt or truncated (${reason})`, {
    field: label,
    file: label,
    cause: error,
  });
}
