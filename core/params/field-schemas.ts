import { z } from 'zod';

/**
 * Field-level schemas for request values. Forms send strings, JSON clients send numbers and
 * booleans, PHP sends empty strings for unset fields: every schema accepts all three, and a
 * blank value means "use the default".
 */

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (problem: string): Parsed<never> => ({ ok: false, problem });

function isBlank(value: unknown): boolean {
  return (
    value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
  );
}

/** A schema from a parse function; blank values become `defaultValue`. */
function field<T, D>(defaultValue: D, parse: (value: unknown) => Parsed<T>) {
  return z.unknown().transform((value, ctx): T | D => {
    if (isBlank(value)) return defaultValue;
    const result = parse(value);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.problem });
    return z.NEVER;
  });
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
  return field(defaultValue, parseBoolean);
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
  return field(undefined, parseInteger(min, max));
}

export function intFieldWithDefault(min: number, max: number, defaultValue: number) {
  return field(defaultValue, parseInteger(min, max));
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
  return field(defaultValue, (value): Parsed<T> => {
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

/** Parses #rgb, #rrggbb or #rrggbbaa (the leading # is optional). */
export function parseHexColor(text: string): Rgba | undefined {
  const hex = text.trim().replace(/^#/, '');
  if (!/^([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(hex)) return undefined;
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  const byte = (i: number) => Number.parseInt(full.slice(i, i + 2), 16);
  return { r: byte(0), g: byte(2), b: byte(4), alpha: full.length === 8 ? byte(6) : 255 };
}

export function colorField(defaultValue: string) {
  const fallback = parseHexColor(defaultValue);
  if (fallback === undefined) throw new Error(`bad default colour ${defaultValue}`);
  return field(fallback, (value): Parsed<Rgba> => {
    const color = parseHexColor(String(value));
    return color === undefined
      ? bad(`must be a hex colour like #ffffff, got '${String(value)}'`)
      : ok(color);
  });
}

/** A model id: a manifest id is checked later against the manifest, where the list is known. */
export function modelIdField(defaultValue: string) {
  return field(defaultValue, (value): Parsed<string> => {
    const id = String(value).trim();
    return /^[a-z0-9][a-z0-9_.-]{0,63}$/i.test(id)
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
