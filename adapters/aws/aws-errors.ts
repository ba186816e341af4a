import { CutoutError } from '../../core/errors.ts';

/**
 * SDK failures as CutoutErrors, decided on the service's error name and HTTP status, never
 * on message text.
 */

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchUpload', 'ResourceNotFoundException']);
const THROTTLED = new Set([
  'SlowDown',
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestTimeout',
  'ServiceUnavailable',
  'InternalError',
  'TimeoutError',
]);

function nameAndStatus(error: unknown): { name: string; status: number | undefined } {
  if (typeof error !== 'object' || error === null) return { name: '', status: undefined };
  const name = 'name' in error && typeof error.name === 'string' ? error.name : '';
  const meta = '$metadata' in error ? (error.$metadata as { httpStatusCode?: number }) : undefined;
  return { name, status: meta?.httpStatusCode };
}

export function isNotFound(error: unknown): boolean {
  const { name, status } = nameAndStatus(error);
  return NOT_FOUND.has(name) || status === 404;
}

export function isConditionFailed(error: unknown): boolean {
  return nameAndStatus(error).name === 'ConditionalCheckFailedException';
}

/** @param what names the object or item, for the message */
export function toAwsCutoutError(error: unknown, what: string): CutoutError {
  if (error instanceof CutoutError) return error;
  const { name, status } = nameAndStatus(error);
  if (isNotFound(error))
    return new CutoutError('INPUT_NOT_FOUND', `${what} does not exist`, { cause: error });
  if (THROTTLED.has(name) || status === 503 || status === 429) {
    return new CutoutError(
      'UPSTREAM_THROTTLED',
      `${what}: AWS is busy (${name || status}), retry`,
      {
        cause: error,
      },
    );
  }
  return new CutoutError('INTERNAL', `${what}: ${name || 'AWS error'}`, { cause: error });
}
