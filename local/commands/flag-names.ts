import { CutoutError } from '../../core/errors.ts';

/**
 * Request-field errors said with the flag the user typed ("--format (video_format): ..."), from
 * the error's fields: only errors that lead with their field (`invalidField`) are re-said.
 */
export function withFlagNames<T>(flagOfField: Readonly<Record<string, string>>, run: () => T): T {
  const relabel = (error: unknown): unknown => {
    if (!(error instanceof CutoutError) || error.code !== 'INVALID_REQUEST') return error;
    const flag = error.field === undefined ? undefined : flagOfField[error.field];
    if (flag === undefined || error.subject !== error.field) return error;
    return new CutoutError('INVALID_REQUEST', error.problem, {
      field: error.field,
      subject: `${flag} (${error.field})`,
      cause: error,
    });
  };
  try {
    const value = run();
    if (value instanceof Promise) {
      return value.catch((error: unknown) => {
        throw relabel(error);
      }) as T;
    }
    return value;
  } catch (error) {
    throw relabel(error);
  }
}
