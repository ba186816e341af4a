/**
 * The one error hierarchy. Every failure that crosses a transport (HTTP, SQS, CLI) is a
 * CutoutError with a stable code; transports map codes, never messages.
 *
 * What an error is about (a file, a request field) is a field of its own beside the problem, so
 * no reader ever takes a message apart: `message` is rendered from them once, for people.
 */
export const ERROR_CODES = [
  'INVALID_REQUEST',
  'UNAUTHORIZED',
  /** A key API Gateway refuses for this route (not in the usage plan, denied by policy). */
  'FORBIDDEN',
  /** A path or method the API does not have (an unknown uuid is JOB_NOT_FOUND). */
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  /** A key over its request rate or daily quota: retry later. */
  'RATE_LIMITED',
  /** A client that stopped sending mid-request (the streaming front door's idle timeout). */
  'REQUEST_TIMEOUT',
  'UNSUPPORTED_MEDIA',
  'INPUT_TOO_LARGE',
  'INPUT_NOT_FOUND',
  'JOB_NOT_FOUND',
  'JOB_CONFLICT',
  'DECODE_FAILED',
  'MODEL_NOT_FOUND',
  'MODEL_UNAVAILABLE',
  'PROCESSING_FAILED',
  'DEADLINE_EXCEEDED',
  'UPSTREAM_THROTTLED',
  /** The local server's data folder is over its disk budget: new jobs wait until old ones expire. */
  'INSUFFICIENT_STORAGE',
  /** A deployment's settings are missing or malformed: fixed by its operator, never by a retry. */
  'CONFIGURATION',
  /**
   * An outbound request (a webhook, an image_url fetch) the guard will not make: a scheme it does
   * not allow, credentials in the URL, an address that is not public, a redirect.
   */
  'OUTBOUND_REFUSED',
  /** An outbound request that did not finish (connect, headers and body) within its timeout. */
  'OUTBOUND_TIMEOUT',
  /** An outbound request that failed on the way: host not found, connection refused or cut off. */
  'OUTBOUND_FAILED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes whose failure may pass on a later attempt (the worker lets the message be redelivered). */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set([
  'MODEL_UNAVAILABLE',
  'UPSTREAM_THROTTLED',
  'INTERNAL',
]);

export interface CutoutErrorOptions {
  /** The request field the error is about, for machines (transports, the CLI's flag names). */
  readonly field?: string;
  /**
   * The file the error is about, as its owner knows it ("cat.png", "background sky.jpg"); the
   * message leads with it unless `subject` says otherwise.
   */
  readonly file?: string;
  /**
   * What the message leads with, when not the file: a request field or a flag as people name it
   * (`invalidField` sets it to the field); null when the problem names the file in its own words
   * ("'cat.jpg' is 3 bytes, over ...").
   */
  readonly subject?: string | null;
  readonly cause?: unknown;
}

export class CutoutError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly file: string | undefined;
  /** What the message leads with: the file, else the subject; undefined when the problem stands alone. */
  readonly subject: string | undefined;
  /** What went wrong, without the subject: `message` is `describeProblem(subject, problem)`. */
  readonly problem: string;

  constructor(code: ErrorCode, problem: string, options: CutoutErrorOptions = {}) {
    const subject = options.subject === null ? undefined : (options.subject ?? options.file);
    super(
      describeProblem(subject, problem),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'CutoutError';
    this.code = code;
    this.field = options.field;
    this.file = options.file;
    this.subject = subject;
    this.problem = problem;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }
}

/** The one way a problem is said about something: `<subject>: <problem>`. */
export function describeProblem(subject: string | undefined, problem: string): string {
  return subject === undefined ? problem : `${subject}: ${problem}`;
}

/**
 * What to say about `error` once `file` has been named: the bare problem when the message leads
 * with that file, else the whole message (an error about the background names the background).
 */
export function problemAfterFile(file: string, error: CutoutError): string {
  return error.subject === file ? error.problem : error.message;
}

/**
 * `error` said about `file`, naming it once: a file's failure reason. An error about that file
 * names it already (leading with it, or in its own words); any other is led by the file.
 */
export function describeForFile(file: string, error: CutoutError): string {
  return error.file === file ? error.message : describeProblem(file, error.message);
}

/** A request value that is missing, malformed or out of range; the message leads with the field. */
export function invalidField(field: string, problem: string): CutoutError {
  return new CutoutError('INVALID_REQUEST', problem, { field, subject: field });
}

export function isCutoutError(error: unknown): error is CutoutError {
  return error instanceof CutoutError;
}

/**
 * The same error said differently: its code, field and subject kept, `changes` applied, the
 * original as the cause (paths scrubbed from a problem, a file renamed for its role).
 */
export function restated(
  error: CutoutError,
  changes: { readonly problem?: string; readonly file?: string; readonly field?: string },
): CutoutError {
  const file = changes.file ?? error.file;
  // A file that led the message leads it renamed, a field keeps leading, and a problem that
  // stood alone is led by the file it is now said about.
  const subject = error.subject === error.file ? file : (error.subject ?? changes.file);
  return new CutoutError(error.code, changes.problem ?? error.problem, {
    field: changes.field ?? error.field,
    ...(file === undefined ? {} : { file }),
    subject: subject ?? null,
    cause: error,
  });
}

/** Wraps anything thrown into a CutoutError, keeping CutoutErrors as they are. */
export function toCutoutError(error: unknown, fallback: ErrorCode = 'INTERNAL'): CutoutError {
  if (error instanceof CutoutError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CutoutError(fallback, message, { cause: error });
}
