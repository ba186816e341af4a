import { invalidField } from '../errors.ts';
import { webhookShape } from '../webhooks/webhook-fields.ts';
import {
  booleanField,
  colorField,
  enumField,
  type FieldShape,
  intField,
  intFieldWithDefault,
  modelIdField,
  type ParsedShape,
  parseShape,
  type Rgba,
} from './field-schemas.ts';
import { imageUrlShape } from './image-url-field.ts';
import { type MaskRefinement, maskRefinementFrom, maskRefinementShape } from './mask-refinement.ts';
import {
  type CropMargin,
  cropMarginField,
  type OutputSize,
  positionField,
  type SubjectPosition,
  scaleField,
  sizeField,
} from './output-controls.ts';
import { refineShape } from './refine-field.ts';

/**
 * The seed API's parameters (names, types, defaults, ranges), parsed once here and shared by
 * the HTTP API, the S3-triggered jobs and the CLI. Unknown fields are ignored (clients send `lang`).
 */

export const CONVERT_TO = ['image-backgroundremover', 'video-backgroundremover'] as const;
export type ConvertTo = (typeof CONVERT_TO)[number];

export const BG_TYPES = ['transparent', 'color', 'image'] as const;
export type BgType = (typeof BG_TYPES)[number];

export const IMAGE_FORMATS = ['png', 'webp', 'jpg'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** `alpha` writes the final mask alone, as a grayscale PNG (the same output as only_mask). */
export const OUTPUT_CHANNELS = ['rgba', 'alpha'] as const;

export const VIDEO_FORMATS = [
  'mov',
  'mattekey',
  'gif',
  'video_over_image',
  'video_over_video',
  'gif_with_bg',
  'mp4_with_color',
  'webm',
] as const;
export type VideoFormat = (typeof VIDEO_FORMATS)[number];

/** The reference's Spanish spellings (and its space-separated names) of the video formats. */
const VIDEO_FORMAT_ALIASES: Readonly<Record<string, VideoFormat>> = {
  video_sobre_imagen: 'video_over_image',
  video_sobre_video: 'video_over_video',
  gif_con_bg: 'gif_with_bg',
  gif_con_fondo: 'gif_with_bg',
  mp4_con_color: 'mp4_with_color',
  mattekey_mp4: 'mattekey',
};

const BG_TYPE_ALIASES: Readonly<Record<string, BgType>> = {
  transparente: 'transparent',
  imagen: 'image',
};

export const MOV_CODECS = ['prores', 'qtrle'] as const;
export type MovCodec = (typeof MOV_CODECS)[number];

export const DEFAULT_MODEL = 'u2net';

const modelField = modelIdField(DEFAULT_MODEL);

/**
 * Longest side of the copy alpha matting works on. Matting memory grows with that copy's area
 * (and its unknown band), so the side is capped: 4096 keeps a 4K picture at full detail, and
 * bounds the working copy to 16.8 megapixels.
 */
export const MAX_ALPHA_BASE_SIZE = 4096;

const alphaShape = {
  alpha_matting: booleanField(false),
  alpha_fg: intFieldWithDefault(0, 255, 240),
  alpha_bg: intFieldWithDefault(0, 255, 10),
  // The seed documents 1-25; 0 (rembg's 3x3 cross) is refused rather than silently changed.
  alpha_erode: intFieldWithDefault(1, 25, 10),
  alpha_base_size: intFieldWithDefault(64, MAX_ALPHA_BASE_SIZE, 1000),
};

const outputControlsShape = {
  crop: booleanField(false),
  crop_margin: cropMarginField,
  scale: scaleField,
  position: positionField,
  size: sizeField,
  channels: enumField(OUTPUT_CHANNELS, 'rgba'),
};

const imageShape = {
  model: modelField,
  ...alphaShape,
  only_mask: booleanField(false),
  bg_type: enumField(BG_TYPES, 'transparent', BG_TYPE_ALIASES),
  bg_color_value: colorField('#ffffff'),
  post_process_mask: booleanField(false),
  output_format: enumField(IMAGE_FORMATS, 'png', { jpeg: 'jpg' }),
  ...outputControlsShape,
  ...maskRefinementShape,
  ...refineShape,
};

/** Image-only fields a video request is refused for (not silently dropped). */
const IMAGE_ONLY_FIELDS = [
  ...Object.keys(outputControlsShape),
  ...Object.keys(maskRefinementShape),
];

const videoShape = {
  model: modelField,
  ...alphaShape,
  video_format: enumField(VIDEO_FORMATS, 'mov', VIDEO_FORMAT_ALIASES),
  video_bg_color_enabled: booleanField(false),
  video_bg_color: colorField('#00ff00'),
  framerate: intField(1, 60),
  frame_limit: intField(1, 1_000_000),
  mov_codec: enumField(MOV_CODECS, 'prores'),
  ...refineShape,
};

const convertToShape = { convert_to: enumField(CONVERT_TO, undefined) };

/**
 * Every field a convert request is parsed with, by the kind `convert_to` picks: the API document
 * (core/api/openapi-document.ts) is generated from these very schemas, so a field added to a
 * shape is documented without more ado.
 */
export const CONVERT_SHAPES = {
  // The webhook fields are the job's, not the pipeline's: parsed apart (core/webhooks/webhook-fields.ts).
  common: { ...convertToShape, ...webhookShape },
  // image_url is the job's inputs, not the pipeline's: read apart (core/jobs/image-urls.ts).
  image: { ...imageShape, ...imageUrlShape },
  video: videoShape,
} as const;

export interface AlphaMattingOptions {
  readonly enabled: boolean;
  /** Mask values strictly above this are certain foreground (0-255). */
  readonly foregroundThreshold: number;
  /** Mask values strictly below this are certain background (0-255). */
  readonly backgroundThreshold: number;
  /** Side of the square erosion structuring element (1-25). */
  readonly erodeSize: number;
  /** Longest side of the copy the matting runs on. */
  readonly baseSize: number;
}

export type Background =
  | { readonly type: 'transparent' }
  | { readonly type: 'color'; readonly color: Rgba }
  /** The background image travels separately (a file part or a CLI path). */
  | { readonly type: 'image' };

export interface ImageOptions {
  readonly kind: 'image';
  readonly model: string;
  readonly alphaMatting: AlphaMattingOptions;
  readonly onlyMask: boolean;
  readonly background: Background;
  readonly postProcessMask: boolean;
  readonly format: ImageFormat;
  /** With crop=true, the margin kept around the subject's bounding box; undefined: no crop. */
  readonly crop: CropMargin | undefined;
  /** The subject box's share of the canvas (0-1); undefined keeps its size. */
  readonly scale: number | undefined;
  /** Where the subject box goes in the canvas; undefined keeps it in place (unless scaled). */
  readonly position: SubjectPosition | undefined;
  /** Bound on the output's size (never enlarged); undefined keeps it. */
  readonly size: OutputSize | undefined;
  /** mask_shift, mask_feather and despill. */
  readonly maskRefinement: MaskRefinement;
  /** The model's mask refined before anything else uses it (core/pipeline/refine). */
  readonly refine: boolean;
}

export interface VideoOptions {
  readonly kind: 'video';
  readonly model: string;
  readonly alphaMatting: AlphaMattingOptions;
  readonly format: VideoFormat;
  readonly bgColorEnabled: boolean;
  readonly bgColor: Rgba;
  /** Output frames per second; undefined keeps the input's rate. */
  readonly framerate: number | undefined;
  /** Only the first N frames are read; undefined reads all. */
  readonly frameLimit: number | undefined;
  readonly movCodec: MovCodec;
  /** Each frame's model mask refined against that frame, before temporal smoothing. */
  readonly refine: boolean;
}

export type ConvertOptions = ImageOptions | VideoOptions;

/** Raw request fields as they arrive from a form, a JSON body, S3 metadata or CLI flags. */
export type RawFields = Readonly<Record<string, unknown>>;

function parseOrThrow<S extends FieldShape>(shape: S, fields: RawFields): ParsedShape<S> {
  const result = parseShape(shape, fields);
  if (!result.ok) throw invalidField(result.field, result.problem);
  return result.value;
}

function alphaOptions(p: ParsedShape<typeof alphaShape>): AlphaMattingOptions {
  return {
    enabled: p.alpha_matting,
    foregroundThreshold: p.alpha_fg,
    backgroundThreshold: p.alpha_bg,
    erodeSize: p.alpha_erode,
    baseSize: p.alpha_base_size,
  };
}

/** @throws CutoutError INVALID_REQUEST naming the field */
export function parseConvertTo(fields: RawFields): ConvertTo {
  const { convert_to } = parseOrThrow(convertToShape, fields);
  if (convert_to === undefined) {
    throw invalidField('convert_to', `is required: ${CONVERT_TO.join(' or ')}`);
  }
  return convert_to;
}

/** @throws CutoutError INVALID_REQUEST naming the field */
export function parseImageOptions(fields: RawFields): ImageOptions {
  const p = parseOrThrow(imageShape, fields);
  const options = imageOptionsFrom(p);
  checkJpeg(options);
  return options;
}

function imageOptionsFrom(p: ParsedShape<typeof imageShape>): ImageOptions {
  const background: Background =
    p.bg_type === 'color'
      ? { type: 'color', color: p.bg_color_value }
      : p.bg_type === 'image'
        ? { type: 'image' }
        : { type: 'transparent' };
  return {
    kind: 'image',
    model: p.model,
    alphaMatting: alphaOptions(p),
    onlyMask: p.only_mask || p.channels === 'alpha',
    background,
    postProcessMask: p.post_process_mask,
    // channels=alpha is a grayscale PNG; so is only_mask with jpg (no reason to lose detail).
    format:
      p.channels === 'alpha' || (p.only_mask && p.output_format === 'jpg')
        ? 'png'
        : p.output_format,
    // crop_margin alone changes nothing (as on remove.bg): the margin is kept only with crop.
    crop: p.crop ? p.crop_margin : undefined,
    scale: p.scale,
    position: p.position,
    size: p.size,
    maskRefinement: maskRefinementFrom(p),
    refine: p.refine,
  };
}

/** JPEG has no alpha: it is refused unless the output is opaque (an opaque colour, an image, or the mask). */
function checkJpeg(options: ImageOptions): void {
  if (options.format !== 'jpg' || options.onlyMask) return;
  const bg = options.background;
  if (bg.type === 'image' || (bg.type === 'color' && bg.color.alpha === 255)) return;
  throw invalidField(
    'output_format',
    bg.type === 'color'
      ? 'jpg needs an opaque bg_color_value (this one has alpha); use png or webp'
      : 'jpg needs an opaque background: bg_type=color or bg_type=image (or use png or webp)',
  );
}

/** @throws CutoutError INVALID_REQUEST naming the field */
export function parseVideoOptions(fields: RawFields): VideoOptions {
  const p = parseOrThrow(videoShape, fields);
  for (const name of IMAGE_ONLY_FIELDS) {
    const value = fields[name];
    if (value !== undefined && value !== null && String(value).trim() !== '') {
      throw invalidField(name, 'applies to images only (convert_to=image-backgroundremover)');
    }
  }
  return {
    kind: 'video',
    model: p.model,
    alphaMatting: alphaOptions(p),
    format: p.video_format,
    bgColorEnabled: p.video_bg_color_enabled,
    bgColor: p.video_bg_color,
    framerate: p.framerate,
    frameLimit: p.frame_limit,
    movCodec: p.mov_codec,
    refine: p.refine,
  };
}

/** Parses `convert_to` and then the options of that kind. @throws CutoutError INVALID_REQUEST */
export function parseConvertOptions(fields: RawFields): ConvertOptions {
  return parseConvertTo(fields) === 'image-backgroundremover'
    ? parseImageOptions(fields)
    : parseVideoOptions(fields);
}
