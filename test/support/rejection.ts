import { expect } from 'vitest';
import { CutoutError } from '../../core/errors.ts';

/** The CutoutError `promise` rejects with; the test fails if it resolves or throws anything else. */
export async function rejection(promise: Promise<unknown>): Promise<CutoutError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CutoutError);
  return error as CutoutError;
}
