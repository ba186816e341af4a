import { z } from 'zod';
import { CSS_COLOR_NAMES } from './css-color-names.ts';

/**
 * Field-level schemas for request values. Forms send strings, JSON clients send numbers and
 * booleans, PHP sends empty strings for unset fields: every schema accepts all three, and a
 * blank value means "use the default".
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const bad = (problem: string): Parsed<never> => ({ ok: false, problem });

function isBlank(value: unknown): boolean {
  return (
    value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
  );
}

/**
 * How a field reads in the API document (core/api/openapi-document.ts): JSON Schema keywords for
 * the value a client sends. `default` is the blank value as a client would write it; the
 * contract tests check every keyword against what the parser does.
 */
export interface FieldDoc {
  readonly type: 'boolean' | 'integer' | 'number' | 'string';
  readonly description?: string;
  readonly default?: string | number | boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly enum?: readonly string[];
  readonly pattern?: string;
  readonly examples?: readonly (string | number | boolean)[];
}

/** Every request field's document entry, keyed by its schema (read by the API document). */
export const fieldDocs = z.registry<FieldDoc>();

/** A schema from a parse function; blank values become `defaultValue`; `doc` describes it. */
export function field<T, D>(defaultValue: D, doc: FieldDoc, parse: (value: unknown) => Parsed<T>) {
  const schema = z.unknown().transform((value, ctx): T | D => {
    if (isBlank(value)) return defaultValue;
    const result = parse(value);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.problem });
    return z.NEVER;
  });
  fieldDocs.add(schema, doc);
  return schema;
}

const TRUE_WORDS = ['true', '1', 'on', 'yes'];
const FALSE_WORDS = ['false', '0', 'off', 'no'];

export function parseBoolean(value: unknown): Parsed<boolean> {
  if (typeof value === 'boolean') return ok(value);
  const word = String(value).trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return ok(true);
  if (FALSE_WORDS.includes(word)) return ok(false);
  return bad(`must be true or false (also 1/0, on/off), got '${String(value)}'`);
}

export function booleanField(defaultValue: boolean) {
  return field(
    defaultValue,
    {
      type: 'boolean',
      default: defaultValue,
      description: 'true or false (also 1/0, on/off, yes/no)',
    },
    parseBoolean,
  );
}

function parseInteger(min: number, max: number) {
  return (value: unknown): Parsed<number> => {
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string'
          ? Number(value.trim())
          : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      return bad(`must be an integer from ${min} to ${max}, got '${String(value)}'`);
    }
    return ok(n);
  };
}

/** An optional integer in [min, max]; blank gives undefined. */
export function intField(min: number, max: number) {
  return field(undefined, { type: 'integer', minimum: min, maximum: max }, parseInteger(min, max));
}

export function intFieldWithDefault(min: number, max: number, defaultValue: number) {
  return field(
    defaultValue,
    { type: 'integer', minimum: min, maximum: max, default: defaultValue },
    parseInteger(min, max),
  );
}

/** A closed set of words with aliases; matching ignores case, and spaces, dashes and underscores are alike. */
export function enumField<T extends string, D extends T | undefined>(
  values: readonly T[],
  defaultValue: D,
  aliases: Readonly<Record<string, T>> = {},
) {
  const normalise = (s: string) =>
    s
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_');
  const aliasNames = Object.keys(aliases);
  const doc: FieldDoc = {
    type: 'string',
    enum: values,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
    description:
      'Case-insensitive; spaces, dashes and underscores are alike' +
      (aliasNames.length > 0 ? `. Also accepted: ${aliasNames.join(', ')}` : ''),
  };
  return field(defaultValue, doc, (value): Parsed<T> => {
    const key = normalise(String(value));
    const hit = values.find((v) => normalise(v) === key) ?? aliases[key];
    return hit === undefined
      ? bad(`must be one of ${values.join(', ')}, got '${String(value)}'`)
      : ok(hit);
  });
}

export interface Rgba {
  readonly r: number;
  readonly g: number;
  readonly b: number;
  /** 0-255 */
  readonly alpha: number;
}

/** Parses #rgb, #rgba, #rrggbb or #rrggbbaa (the leading # is optional). */
export function parseHexColor(text: string): Rgba | undefined {
  const hex = text.trim().replace(/^#/, '');
  if (!/^([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(hex)) return undefined;
  const full = hex.length <= 4 ? [...hex].map((c) => c + c).join('') : hex;
  const byte = (i: number) => Number.parseInt(full.slice(i, i + 2), 16);
  return { r: byte(0), g: byte(2), b: byte(4), alpha: full.length === 8 ? byte(6) : 255 };
}

/** A hex colour (see parseHexColor) or a CSS named colour, case-insensitive. */
export function parseColor(text: string): Rgba | undefined {
  const name = text.trim().toLowerCase();
  // Own keys only: `constructor` and the like are not colours.
  return parseHexColor(Object.hasOwn(CSS_COLOR_NAMES, name) ? (CSS_COLOR_NAMES[name] ?? '') : text);
}

export function colorField(defaultValue: string) {
  const fallback = parseHexColor(defaultValue);
  if (fallback === undefined) throw new Error(`bad default colour ${defaultValue}`);
  const doc: FieldDoc = {
    type: 'string',
    default: defaultValue,
    description:
      'A hex colour: #rgb, #rgba, #rrggbb or #rrggbbaa (the # is optional), or a CSS colour name',
    examples: ['#ff8800', '#00000080', 'rebeccapurple'],
  };
  return field(fallback, doc, (value): Parsed<Rgba> => {
    const color = parseColor(String(value));
    return color === undefined
      ? bad(
          `must be a hex colour (#rgb, #rgba, #rrggbb, #rrggbbaa) or a CSS colour name, got '${String(value)}'`,
        )
      : ok(color);
  });
}

const MODEL_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';

/** A model id: a manifest id is checked later against the manifest, where the list is known. */
export function modelIdField(defaultValue: string) {
  const doc: FieldDoc = {
    type: 'string',
    default: defaultValue,
    pattern: MODEL_ID_PATTERN,
    description: "A model id from the deployment's manifest (an unknown one is MODEL_NOT_FOUND)",
  };
  return field(defaultValue, doc, (value): Parsed<string> => {
    const id = String(value).trim();
    return new RegExp(MODEL_ID_PATTERN).test(id)
      ? ok(id)
      : bad(`not a model id: '${String(value)}'`);
  });
}

export type FieldShape = Readonly<Record<string, z.ZodType>>;
export type ParsedShape<S extends FieldShape> = { -readonly [K in keyof S]: z.output<S[K]> };

/**
 * Parses each field of `shape` from `fields` (absent keys count as blank, unknown keys are
 * ignored). Returns the first problem as `{ field, problem }` so callers can name the field.
 */
export function parseShape<S extends FieldShape>(
  shape: S,
  fields: Readonly<Record<string, unknown>>,
): { ok: true; value: ParsedShape<S> } | { ok: false; field: string; problem: string } {
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(shape)) {
    const result = schema.safeParse(fields[name]);
    if (!result.success) {
      return {
        ok: false,
        field: name,
        problem: result.error.issues[0]?.message ?? 'invalid value',
      };
    }
    out[name] = result.data;
  }
  return { ok: true, value: out as ParsedShape<S> };
}
