import { CutoutError, invalidField } from '../errors.ts';
import type { Mask, RgbImage } from '../image/raster.ts';
import { matteImage } from '../matting/matte-image.ts';
import type { ImageFormat, ImageOptions } from '../params/convert-params.ts';
import type { Segmenter } from '../ports.ts';
import { throwIfAborted } from './abortable.ts';
import { applyMaskRefinement } from './apply-mask-refinement.ts';
import { composeOverColor, composeOverImage, type EncodableRaster } from './compose-background.ts';
import { cutoutRgba, multiplyMasks } from './compose-cutout.ts';
import { decodeImage } from './decode-image.ts';
import { CONTENT_TYPES, encodeRaster } from './encode-output.ts';
import { fitBackground } from './fit-background.ts';
import type { HeifDecoder } from './heif-decoder.ts';
import { changesLayout, layoutOutput } from './layout-output.ts';
import { DEFAULT_MAX_PIXELS } from './limits.ts';
import { postProcessMask } from './post-process-mask.ts';
import { refineModelMask } from './refine/refine-model-mask.ts';
import { type SegmentTimings, segmentImages } from './segment-images.ts';
import { type Box, subjectBox } from './subject-box.ts';

export interface RemoveBackgroundInput {
  /** The encoded input image (any format `decodeImage` accepts). */
  readonly image: Uint8Array;
  readonly options: ImageOptions;
  /** Encoded background image; required when `options.background.type === 'image'`. */
  readonly backgroundImage?: Uint8Array;
  /** Named in error messages and warnings; defaults to "image". */
  readonly fileName?: string;
  /**
   * The file's deadline, checked between steps (decode, inference, matting, encode); on abort the
   * call rejects with its reason when that is a CutoutError, DEADLINE_EXCEEDED otherwise.
   */
  readonly signal?: AbortSignal;
}

export interface RemoveBackgroundDeps {
  /** The model to run; `options.model` has already been resolved to it by the caller. */
  readonly segmenter: Segmenter;
  /** Largest width*height accepted for the input and the background image. */
  readonly maxPixels?: number;
  /** Alpha matting is skipped, with a warning, above this many unknown pixels (memory bound). */
  readonly maxUnknownPixels?: number;
  /** Decodes HEIC (HEVC) inputs and backgrounds; without it they are refused as UNSUPPORTED_MEDIA. */
  readonly heif?: HeifDecoder;
}

export interface StageTimings {
  readonly decodeMs: number;
  readonly preprocessMs: number;
  readonly inferenceMs: number;
  /** Everything between inference and encoding: mask normalisation and resize, post_process_mask, matting, compositing. */
  readonly postprocessMs: number;
  readonly encodeMs: number;
}

export interface RemoveBackgroundResult {
  readonly data: Buffer;
  readonly format: ImageFormat;
  readonly contentType: string;
  readonly width: number;
  readonly height: number;
  /**
   * The subject's bounding box in output pixels (alpha >= SUBJECT_ALPHA_THRESHOLD in the final
   * mask); null when the mask is empty.
   */
  readonly subject: Box | null;
  /** The manifest id of the weights that actually ran. */
  readonly modelId: string;
  readonly warnings: string[];
  readonly timings: StageTimings;
}

const WHITE = { r: 255, g: 255, b: 255, alpha: 255 };

/**
 * Removes the background of one image.
 *
 * 1. Decode (EXIF orientation, sRGB, first frame) under the pixel limit; decode and fit the
 *    background image, if any.
 * 2. Segment: the model sees the image flattened over white when it has its own alpha, so what
 *    hides under transparent pixels cannot steer it.
 * 3. Optional refine (core/pipeline/refine), optional post_process_mask, then optional alpha matting (its alpha and foreground replace
 *    the mask and the RGB); then despill, mask_shift and mask_feather (apply-mask-refinement).
 * 4. The input's own alpha is multiplied in: transparent stays transparent.
 * 5. Output controls (layout-output): crop to the subject's box, scale and move it, bound the
 *    size; the subject's box is measured on the final mask.
 * 6. Output: the mask alone (always PNG), or the straight-alpha cut-out, or it composited over a
 *    colour or a background image (cover-fitted at the final size); encoded as PNG, WebP or JPEG.
 *
 * @example
 * const out = await removeBackground({ image: bytes, options: parseImageOptions({}) }, { segmenter });
 * await writeFile('out.png', out.data);
 *
 * @throws CutoutError DECODE_FAILED, UNSUPPORTED_MEDIA, INPUT_TOO_LARGE (input or background),
 *   INVALID_REQUEST (bg_type=image without a background), MODEL_UNAVAILABLE (inference)
 */
export async function removeBackground(
  input: RemoveBackgroundInput,
  deps: RemoveBackgroundDeps,
): Promise<RemoveBackgroundResult> {
  const { options } = input;
  const label = input.fileName ?? 'image';
  const maxPixels = deps.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (options.background.type === 'image' && !options.onlyMask && !input.backgroundImage) {
    throw invalidField('bg_type', 'image needs a background image');
  }

  let t = performance.now();
  const decoded = await decodeImage(input.image, { maxPixels, label, heif: deps.heif });
  const warnings = [...decoded.warnings];
  // The background is fitted before inference so that a bad one fails fast.
  let background: RgbImage | undefined;
  if (options.background.type === 'image' && !options.onlyMask && input.backgroundImage) {
    const fitted = await fitBackground(
      input.backgroundImage,
      decoded.rgb.width,
      decoded.rgb.height,
      { maxPixels, label: 'background image', heif: deps.heif },
    );
    background = fitted.image;
    warnings.push(...fitted.warnings);
  }
  const decodeMs = performance.now() - t;

  t = performance.now();
  const modelView = decoded.alpha
    ? toRgb(composeOverColor(decoded.rgb, decoded.alpha, WHITE))
    : decoded.rgb;
  const stages: SegmentTimings = {
    preprocessMs: performance.now() - t,
    inferenceMs: 0,
    postprocessMs: 0,
  };
  throwIfAborted(input.signal, label);
  const [modelMask] = await segmentImages(deps.segmenter, [modelView], {
    timings: stages,
    ...(input.signal ? { signal: input.signal, label } : {}),
  });
  throwIfAborted(input.signal, label);
  if (!modelMask) throw new CutoutError('INTERNAL', 'the model returned no mask', { file: label });

  t = performance.now();
  // refine works on the model's own soft mask, before anything else reshapes it.
  const ownMask = options.refine ? refineModelMask(modelView, modelMask) : modelMask;
  let mask: Mask = options.postProcessMask ? postProcessMask(ownMask) : ownMask;
  let rgb: RgbImage = decoded.rgb;
  if (options.alphaMatting.enabled) {
    // The flattened view: colours hidden under transparent pixels must not steer the matting.
    const matte = await matteImage(
      modelView,
      mask,
      options.alphaMatting,
      deps.maxUnknownPixels === undefined ? {} : { maxUnknownPixels: deps.maxUnknownPixels },
    );
    mask = matte.alpha;
    rgb = matte.foreground;
    warnings.push(...matte.warnings.map((w) => `${label}: ${w}`));
  }
  const refined = await applyMaskRefinement(rgb, mask, options.maskRefinement, {
    matted: options.alphaMatting.enabled,
    maskOnly: options.onlyMask,
    inputAlpha: decoded.alpha,
    label,
  });
  mask = refined.mask;
  rgb = refined.rgb;
  warnings.push(...refined.warnings);
  if (decoded.alpha) mask = multiplyMasks(mask, decoded.alpha);
  stages.postprocessMs += performance.now() - t;

  t = performance.now();
  if (changesLayout(options)) {
    ({ rgb, mask } = await layoutOutput({ rgb, mask }, options, (w) =>
      warnings.push(`${label}: ${w}`),
    ));
    if (background && (background.width !== rgb.width || background.height !== rgb.height)) {
      const refitted = await fitBackground(
        input.backgroundImage ?? new Uint8Array(),
        rgb.width,
        rgb.height,
        {
          maxPixels,
          label: 'background image',
          heif: deps.heif,
        },
      );
      background = refitted.image;
    }
  }
  const subject = subjectBox(mask) ?? null;
  const raster = composeOutput(rgb, mask, options, background);
  stages.postprocessMs += performance.now() - t;

  throwIfAborted(input.signal, label);
  t = performance.now();
  const { format } = options;
  const data = await encodeRaster(raster, format);
  const encodeMs = performance.now() - t;

  return {
    data,
    format,
    contentType: CONTENT_TYPES[format],
    width: raster.width,
    height: raster.height,
    subject,
    modelId: deps.segmenter.spec.id,
    warnings,
    timings: { decodeMs, ...stages, encodeMs },
  };
}

function composeOutput(
  rgb: RgbImage,
  mask: Mask,
  options: ImageOptions,
  background: RgbImage | undefined,
): EncodableRaster {
  const { width, height } = rgb;
  if (options.onlyMask) return { data: mask.data, width, height, channels: 1 };
  const bg = options.background;
  if (bg.type === 'color') return composeOverColor(rgb, mask, bg.color);
  if (bg.type === 'image' && background) {
    return { ...composeOverImage(rgb, mask, background), channels: 3 };
  }
  return { data: cutoutRgba(rgb, mask), width, height, channels: 4 };
}

function toRgb(raster: EncodableRaster): RgbImage {
  return { data: raster.data, width: raster.width, height: raster.height };
}
