import type { HeldClaim } from './claim-file.ts';
import { progressUpdate, renewLeaseUpdate } from './transitions.ts';

/** The claim's writes while its file is processed: lease renewals and progress. */

const DEFAULT_PROGRESS_INTERVAL_MS = 1000;

/**
 * Renews the claim's lease every third of its length, for images and videos alike (progress
 * writes also extend it, but a slow step can go a long time without progress). A renewal that
 * finds the file no longer this claim's calls `onLost`; a failed write is tried again next tick.
 */
export function keepLease(claim: HeldClaim, onLost: () => void): { stop(): Promise<void> } {
  const { repo, clock, file, token, leaseMs } = claim;
  let inFlight: Promise<void> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(
    () => {
      if (stopped) return;
      inFlight = inFlight.then(async () => {
        if (stopped) return;
        const renewed = await repo
          .updateFile(renewLeaseUpdate(file, token, clock.now(), leaseMs))
          .then(
            (updated) => (updated ? 'renewed' : 'lost'),
            () => 'unknown' as const,
          );
        if (renewed === 'lost' && !stopped) onLost();
      });
    },
    Math.max(1, Math.floor(leaseMs / 3)),
  );
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}

export type ProgressReporter = ((fraction: number) => void) & { settled(): Promise<void> };

/**
 * Progress callback that writes at most every `intervalMs`, one write at a time, never
 * throwing. Silent once `signal` aborts: a write landing after a hand-back's release would
 * extend the lease again and make the next worker take its message for a duplicate.
 */
export function progressReporter(
  claim: HeldClaim,
  signal: AbortSignal,
  intervalMs = DEFAULT_PROGRESS_INTERVAL_MS,
): ProgressReporter {
  const { repo, clock, file, token, leaseMs } = claim;
  let lastWrite = clock.now();
  let inFlight: Promise<unknown> = Promise.resolve();
  let writing = false;
  const report = (fraction: number) => {
    const now = clock.now();
    if (signal.aborted || writing || now - lastWrite < intervalMs || !Number.isFinite(fraction))
      return;
    lastWrite = now;
    writing = true;
    inFlight = repo
      .updateFile(progressUpdate(file, token, fraction, now, leaseMs))
      .catch(() => undefined)
      .finally(() => {
        writing = false;
      });
  };
  return Object.assign(report, { settled: () => inFlight.then(() => undefined) });
}
