import type { InFlight, Slot } from './consumer-slot.ts';
import { MIN_VISIBILITY_SECONDS, type SetVisibility } from './message-visibility.ts';

/** Waits up to `ms` for every busy slot's message to settle. */
export async function drainedWithin(
  slots: readonly Slot[],
  ms: number,
): Promise<'drained' | 'timeout'> {
  const pending = slots.filter((slot) => slot.busy).map((slot) => slot.settled);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  const drained = await Promise.race([
    Promise.all(pending).then(() => 'drained' as const),
    deadline,
  ]);
  clearTimeout(timer);
  return drained;
}

/**
 * Gives messages up: aborts their handlers, waits up to `releaseWaitMs` for them to release
 * their files' leases (a message visible again while its lease still runs would be taken for a
 * duplicate by the next worker), then makes the messages visible again.
 */
export async function handBack(
  given: readonly InFlight[],
  setVisibility: SetVisibility,
  releaseWaitMs: number,
): Promise<void> {
  for (const entry of given) entry.controller.abort(new Error('handed back at shutdown'));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(given.map((entry) => entry.handled)),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, releaseWaitMs);
    }),
  ]);
  clearTimeout(timer);
  await Promise.all(given.map((entry) => setVisibility(entry.message, MIN_VISIBILITY_SECONDS)));
}
