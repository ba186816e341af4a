import { z } from 'zod';
import { CutoutError } from '../errors.ts';
import { parseBoolean } from '../params/field-schemas.ts';

/**
 * The one way an entry point reads its configuration: a zod shape whose keys are the variable
 * names and whose entries carry their type, default and (through `.describe()`) their meaning.
 * Infra builds environments from the same keys (infra/environment-for.ts) and the operations
 * guide's table is generated from them (scripts/docs-config.ts).
 */

export type ConfigShape = z.ZodRawShape;
export type ConfigSource = Readonly<Record<string, string | undefined>>;

const MAX_ECHOED = 80;

function problemOf(issue: z.core.$ZodIssue, source: ConfigSource): string {
  const name = String(issue.path[0] ?? 'configuration');
  const value = source[name];
  if (value === undefined) return `${name}: is required (${issue.message})`;
  const shown = value.length > MAX_ECHOED ? `${value.slice(0, MAX_ECHOED)}...` : value;
  return `${name}: "${shown}" is not valid: ${issue.message}`;
}

/**
 * Parses `source` against `shape`, blank values counting as unset (so a default applies).
 * @throws CutoutError CONFIGURATION naming every bad or missing variable at once; `field` is
 *   the first of them.
 */
export function parseConfig<S extends ConfigShape>(
  shape: S,
  source: ConfigSource,
): Readonly<z.infer<z.ZodObject<S>>> {
  const present: Record<string, string> = {};
  for (const key of Object.keys(shape)) {
    const value = source[key]?.trim();
    if (value !== undefined && value !== '') present[key] = value;
  }
  const result = z.object(shape).safeParse(present);
  if (!result.success) throw configurationError(result.error.issues, present);
  return Object.freeze(result.data);
}

/** A problem found after the schema passed (a rule across two variables), said the same way. */
export function configurationProblem(name: string, problem: string): CutoutError {
  return new CutoutError('CONFIGURATION', `${name}: ${problem}`, { field: name, subject: null });
}

function configurationError(issues: readonly z.core.$ZodIssue[], source: ConfigSource) {
  const problems = issues.map((issue) => problemOf(issue, source));
  return new CutoutError('CONFIGURATION', problems.join('; '), {
    field: String(issues[0]?.path[0] ?? 'configuration'),
    subject: null,
  });
}

// One instance, so the docs generator can tell a flag from other text (isBooleanFlag).
const BOOLEAN_TEXT = z.string().transform((text, ctx) => {
  const parsed = parseBoolean(text);
  if (parsed.ok) return parsed.value;
  ctx.addIssue({ code: 'custom', message: parsed.problem });
  return z.NEVER;
});

/** A variable holding a boolean, read by the same words as a request's boolean fields. */
export function booleanFlag(fallback: boolean) {
  return BOOLEAN_TEXT.default(fallback);
}

/** Whether `schema`, once its default is unwrapped, is a `booleanFlag`. */
export function isBooleanFlag(schema: z.ZodType): boolean {
  return schema === BOOLEAN_TEXT;
}

/**
 * How often a claimed message's visibility is extended: a third of the window by default, and
 * never above half, so one lost call does not expose the message.
 */
export function heartbeatSecondsFor(visibilitySeconds: number, configured?: number): number {
  const heartbeat = configured ?? Math.max(1, Math.floor(visibilitySeconds / 3));
  return Math.min(heartbeat, Math.max(1, Math.floor(visibilitySeconds / 2)));
}
