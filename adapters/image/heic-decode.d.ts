// heic-decode ships no types; this covers the part adapters/image/heif-wasm-decoder.ts uses.
declare module 'heic-decode' {
  interface DecodedImage {
    width: number;
    height: number;
    /** RGBA, 4 bytes a pixel. */
    data: Uint8ClampedArray;
  }

  interface ImageHandle {
    /** From the container's headers, before decoding: rotation already applied. */
    width: number;
    height: number;
    decode(): Promise<DecodedImage>;
  }

  function decode(input: { buffer: Uint8Array }): Promise<DecodedImage>;
  namespace decode {
    /** Every top-level image as a handle; call `dispose()` when done to free the wasm memory. */
    function all(input: { buffer: Uint8Array }): Promise<ImageHandle[] & { dispose(): void }>;
  }
  export = decode;
}
