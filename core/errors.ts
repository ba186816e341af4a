/**
 * The one error hierarchy. Every failure that crosses a transport (HTTP, SQS, CLI) is a
 * CutoutError with a stable code; transports map codes, never messages.
 */
export const ERROR_CODES = [
  'INVALID_REQUEST',
  'UNAUTHORIZED',
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
  /** The request field or file the error is about; messages already name it, this is for machines. */
  readonly field?: string;
  readonly cause?: unknown;
}

export class CutoutError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: CutoutErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CutoutError';
    this.code = code;
    this.field = options.field;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }
}

/** A request value that is missing, malformed or out of range; the message starts with the field name. */
export function invalidField(field: string, problem: string): CutoutError {
  return new CutoutError('INVALID_REQUEST', `${field}: ${problem}`, { field });
}

export function isCutoutError(error: unknown): error is CutoutError {
  return error instanceof CutoutError;
}

/** Wraps anything thrown into a CutoutError, keeping CutoutErrors as they are. */
export function toCutoutError(error: unknown, fallback: ErrorCode = 'INTERNAL'): CutoutError {
  if (error instanceof CutoutError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CutoutError(fallback, message, { cause: error });
}
