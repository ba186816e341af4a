import { describe, expect, it } from 'vitest';
import { backlogSteps } from '../../infra/constructs/queue-backlog-scaling.ts';

describe('backlogSteps', () => {
  it('starts one worker for the first message and one more per messagesPerWorker', () => {
    expect(backlogSteps(4, 20)).toEqual([
      { lower: 1, change: 1 },
      { lower: 21, change: 2 },
      { lower: 41, change: 3 },
      { lower: 61, change: 4 },
    ]);
  });

  it('keeps at most ten steps and always reaches the maximum', () => {
    const steps = backlogSteps(50, 1);
    expect(steps).toHaveLength(10);
    expect(steps[0]).toEqual({ lower: 1, change: 1 });
    expect(steps.at(-1)).toEqual({ lower: 50, change: 50 });
    const changes = steps.map((s) => s.change);
    expect(changes).toEqual([...changes].sort((a, b) => a - b));
  });

  it('gives a single-worker service the two steps step scaling requires', () => {
    expect(backlogSteps(1, 5)).toEqual([
      { lower: 1, change: 1 },
      { lower: 6, change: 1 },
    ]);
  });
});
