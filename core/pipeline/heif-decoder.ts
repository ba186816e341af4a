/**
 * The port for HEIC (HEVC-coded HEIF) pictures, which the prebuilt libvips in sharp cannot
 * decode (HEVC is patent-encumbered, so its builds leave the decoder out). The worker and the
 * CLI plug in a WebAssembly libheif (adapters/image/heif-wasm-decoder.ts); without one, such a
 * file is refused as UNSUPPORTED_MEDIA.
 */
export interface HeifDecoder {
  /**
   * The primary picture as 8-bit RGBA with the container's rotation and mirroring (`irot`,
   * `imir`) applied, as HEIF says they must be; the EXIF orientation tag is not applied again.
   * The picture's size is checked against `maxPixels` before any pixel is decoded.
   *
   * @throws CutoutError DECODE_FAILED (corrupt data), INPUT_TOO_LARGE naming `label`
   */
  decode(bytes: Uint8Array, limits: { maxPixels: number; label: string }): Promise<DecodedRgba>;
}

export interface DecodedRgba {
  readonly width: number;
  readonly height: number;
  /** width * height * 4 bytes, straight alpha. */
  readonly data: Uint8Array;
}
