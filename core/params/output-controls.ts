import { bad, type FieldDoc, field, ok, type Parsed } from './field-schemas.ts';

/**
 * The image output controls' value parsers: crop_margin, scale, position and size. Each accepts
 * what remove.bg's users type (`20px`, `10%`, `center`, `2mp`) and also bare numbers.
 */

/** Pixels on each side, or a percentage of the subject box's width (left/right) and height (top/bottom). */
export type CropMargin =
  | { readonly unit: 'px'; readonly value: number }
  | { readonly unit: 'percent'; readonly value: number };

/** Where the subject box sits in the canvas: 0 = left/top edge, 1 = right/bottom edge. */
export interface SubjectPosition {
  readonly x: number;
  readonly y: number;
}

/** The output's bound: its longest side in pixels, or its area in megapixels. */
export type OutputSize =
  | { readonly kind: 'side'; readonly pixels: number }
  | { readonly kind: 'megapixels'; readonly megapixels: number };

export const MAX_CROP_MARGIN_PX = 10_000;
export const MIN_OUTPUT_SIDE = 16;
export const MAX_OUTPUT_SIDE = 16_384;
export const MIN_OUTPUT_MEGAPIXELS = 0.01;
export const MAX_OUTPUT_MEGAPIXELS = 256;

function text(value: unknown): string {
  return String(value).trim().toLowerCase();
}

export function parseCropMargin(value: unknown): Parsed<CropMargin> {
  const s = text(value);
  const percent = /^(\d+(\.\d+)?)\s*%$/.exec(s);
  if (percent) {
    const n = Number(percent[1]);
    return n <= 100
      ? ok({ unit: 'percent', value: n })
      : bad(`a percentage must be 0-100%, got '${String(value)}'`);
  }
  const px = /^(\d+)\s*(px)?$/.exec(s);
  if (px && Number(px[1]) <= MAX_CROP_MARGIN_PX) return ok({ unit: 'px', value: Number(px[1]) });
  return bad(
    `must be pixels (0-${MAX_CROP_MARGIN_PX}, e.g. 20 or 20px) or a percentage of the subject box (0-100%, e.g. 10%), got '${String(value)}'`,
  );
}

/** `original` keeps the subject's size; a percentage (1-100, `%` optional) fits its box into that share of the canvas. */
export function parseScale(value: unknown): Parsed<number | undefined> {
  const s = text(value);
  if (s === 'original') return ok(undefined);
  const m = /^(\d+(\.\d+)?)\s*%?$/.exec(s);
  const n = m ? Number(m[1]) : Number.NaN;
  return n >= 1 && n <= 100
    ? ok(n / 100)
    : bad(`must be original or a percentage from 1 to 100 (e.g. 80%), got '${String(value)}'`);
}

const NAMED_POSITIONS: Readonly<Record<string, SubjectPosition>> = {
  center: { x: 0.5, y: 0.5 },
  centre: { x: 0.5, y: 0.5 },
  top: { x: 0.5, y: 0 },
  bottom: { x: 0.5, y: 1 },
  left: { x: 0, y: 0.5 },
  right: { x: 1, y: 0.5 },
  top_left: { x: 0, y: 0 },
  top_right: { x: 1, y: 0 },
  bottom_left: { x: 0, y: 1 },
  bottom_right: { x: 1, y: 1 },
};

function percentage(part: string): number | undefined {
  const m = /^(\d+(\.\d+)?)\s*%?$/.exec(part.trim());
  const n = m ? Number(m[1]) : Number.NaN;
  return n >= 0 && n <= 100 ? n / 100 : undefined;
}

/** `original`, a named place (center, top, bottom, left, right, top-left, ...), `x%` or `x%,y%`. */
export function parsePosition(value: unknown): Parsed<SubjectPosition | undefined> {
  const s = text(value).replace(/[\s-]+/g, '_');
  if (s === 'original') return ok(undefined);
  if (Object.hasOwn(NAMED_POSITIONS, s)) return ok(NAMED_POSITIONS[s]);
  const parts = text(value).split(',');
  const [x, y] = parts.map(percentage);
  if (parts.length <= 2 && x !== undefined && (parts.length === 1 || y !== undefined)) {
    return ok({ x, y: y ?? x });
  }
  return bad(
    `must be original, center, top, bottom, left, right, top-left, top-right, bottom-left, bottom-right, or x%,y% (0-100), got '${String(value)}'`,
  );
}

/** A longest side in pixels (`1024`, `1024px`) or an area in megapixels (`2mp`, `0.5mp`). */
export function parseOutputSize(value: unknown): Parsed<OutputSize> {
  const s = text(value);
  const mp = /^(\d+(\.\d+)?)\s*mp$/.exec(s);
  if (mp) {
    const n = Number(mp[1]);
    if (n >= MIN_OUTPUT_MEGAPIXELS && n <= MAX_OUTPUT_MEGAPIXELS) {
      return ok({ kind: 'megapixels', megapixels: n });
    }
  }
  const px = /^(\d+)\s*(px)?$/.exec(s);
  const n = px ? Number(px[1]) : Number.NaN;
  if (!mp && n >= MIN_OUTPUT_SIDE && n <= MAX_OUTPUT_SIDE) return ok({ kind: 'side', pixels: n });
  return bad(
    `must be a longest side in pixels (${MIN_OUTPUT_SIDE}-${MAX_OUTPUT_SIDE}, e.g. 1024) or megapixels (${MIN_OUTPUT_MEGAPIXELS}-${MAX_OUTPUT_MEGAPIXELS}, e.g. 2mp), got '${String(value)}'`,
  );
}

const doc = (d: Omit<FieldDoc, 'type'>): FieldDoc => ({ type: 'string', ...d });

export const cropMarginField = field<CropMargin, CropMargin>(
  { unit: 'px', value: 0 },
  doc({
    default: '0',
    description:
      'With crop=true: margin around the subject box, in pixels (20, 20px) or percent of the box (10%); clamped to the image',
    examples: ['20', '10%'],
  }),
  parseCropMargin,
);

export const scaleField = field(
  undefined,
  doc({
    default: 'original',
    description:
      "The subject box's size as a share of the canvas (1-100%, fitted inside it); implies position=center",
    examples: ['80%'],
  }),
  parseScale,
);

export const positionField = field(
  undefined,
  doc({
    default: 'original',
    description:
      'Where the subject box sits in the canvas: original, center, top, bottom, left, right, top-left, ... or x%,y%',
    examples: ['center', 'bottom', '50%,100%'],
  }),
  parsePosition,
);

export const sizeField = field(
  undefined,
  doc({
    description:
      'Largest output: longest side in pixels (16-16384) or megapixels (e.g. 2mp); never upscales',
    examples: ['1024', '2mp'],
  }),
  parseOutputSize,
);
