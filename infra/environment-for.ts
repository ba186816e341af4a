import type { z } from 'zod';

type Setting = string | number | boolean | readonly string[];

/** Values for some of a schema's variables: a name the schema does not have is a type error. */
export type EnvironmentValues<S extends z.ZodRawShape> = {
  readonly [K in keyof S & string]?: Setting;
};

/** Whether the variable must be set: its schema refuses "unset" (no default, not optional). */
export function isRequired(schema: z.ZodType): boolean {
  return !schema.safeParse(undefined).success;
}

/**
 * A function's or task's environment built from the same schema its entry point parses, so a
 * variable nothing reads cannot be passed and a required one cannot be forgotten.
 * @throws Error at synth, naming `owner`, for a missing required variable or an unknown name
 */
export function environmentFor<S extends z.ZodRawShape>(
  owner: string,
  shape: S,
  values: EnvironmentValues<S>,
): Record<string, string> {
  const unknown = Object.keys(values).filter((name) => !(name in shape));
  if (unknown.length > 0) {
    throw new Error(`${owner}: its schema reads no ${unknown.join(', ')}`);
  }
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(values) as [string, Setting | undefined][]) {
    if (value === undefined) continue;
    environment[name] = Array.isArray(value) ? value.join(',') : String(value);
  }
  const missing = Object.entries(shape)
    .filter(([name, schema]) => environment[name] === undefined && isRequired(schema as z.ZodType))
    .map(([name]) => name);
  if (missing.length > 0) {
    throw new Error(`${owner}: required variable(s) not set: ${missing.join(', ')}`);
  }
  return environment;
}
