import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection, in a process started without --expose-gc (vitest's workers): the
 * flag is set at run time and `gc` fetched from a fresh context, which then has it.
 */
export function forcedGc(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (options?: { type: 'major' }) => void;
  return () => {
    gc();
    gc();
  };
}
