import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type SweepReport, startSweepTimer } from '../../../local/ttl-sweeper.ts';

const NOTHING: SweepReport = { items: 0, objects: 0, uploads: 0 };

describe('startSweepTimer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sweeps a minute after start, then every interval, with the clock of the moment', async () => {
    const at: number[] = [];
    const timer = startSweepTimer(
      async (now) => {
        at.push(now);
        return NOTHING;
      },
      3_600_000,
      () => undefined,
    );
    const start = Date.now();
    await vi.advanceTimersByTimeAsync(59_000);
    expect(at).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(at).toEqual([start + 60_000]);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(at).toHaveLength(2);
    await timer.stop();
    await vi.advanceTimersByTimeAsync(10 * 3_600_000);
    expect(at).toHaveLength(2);
  });

  it('never starts a timed sweep while one runs, and stop() waits for it', async () => {
    let running = 0;
    let most = 0;
    let finish: (() => void) | undefined;
    const timer = startSweepTimer(
      () => {
        running += 1;
        most = Math.max(most, running);
        return new Promise<SweepReport>((resolve) => {
          finish = () => {
            running -= 1;
            resolve(NOTHING);
          };
        });
      },
      1_000,
      () => undefined,
    );
    await vi.advanceTimersByTimeAsync(5_500);
    expect(most).toBe(1);
    let stopped = false;
    const stopping = timer.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish?.();
    await stopping;
    expect(stopped).toBe(true);
  });

  it('runs a sweep on demand with a given clock, even with the timer off', async () => {
    const at: number[] = [];
    const timer = startSweepTimer(
      async (now) => {
        at.push(now);
        return { items: 1, objects: 2, uploads: 0 };
      },
      0,
      () => undefined,
    );
    await expect(timer.run(123)).resolves.toEqual({ items: 1, objects: 2, uploads: 0 });
    await vi.advanceTimersByTimeAsync(10 * 3_600_000);
    expect(at).toEqual([123]);
    await timer.stop();
  });

  it('reports a failed timed sweep and keeps sweeping', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const timer = startSweepTimer(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('dynalite down');
        return NOTHING;
      },
      1_000,
      (error) => errors.push(error),
    );
    await vi.advanceTimersByTimeAsync(2_100);
    expect(errors).toHaveLength(1);
    expect(calls).toBeGreaterThanOrEqual(2);
    await timer.stop();
  });
});
