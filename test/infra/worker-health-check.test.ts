import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKER_ENV } from '../../containers/worker/env.ts';
import {
  WORKER_HEALTH_COMMAND,
  WORKER_LIVENESS_FILE,
} from '../../infra/constructs/queue-worker.ts';
import { REPO_ROOT, synthesizedForFile } from './support/test-app.ts';

/**
 * The worker task definitions carry a health check that can fail: it runs the liveness check
 * script against the file the worker is told to keep fresh (test/integration/worker/
 * worker-liveness.test.ts runs the same command against a hung and a blocked worker).
 */

const built = synthesizedForFile({});

describe('worker container health check', () => {
  it('every worker container runs the liveness check against the file it is told to keep', () => {
    const tasks = Object.values(built.serviceTemplate.findResources('AWS::ECS::TaskDefinition'));
    expect(tasks.length).toBeGreaterThan(0);
    for (const task of tasks) {
      const [container] = task.Properties.ContainerDefinitions;
      expect(container.HealthCheck.Command).toEqual([...WORKER_HEALTH_COMMAND]);
      const env = Object.fromEntries(
        (container.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]),
      );
      expect(env[WORKER_ENV.livenessFile]).toBe(WORKER_LIVENESS_FILE);
    }
  });

  it('names a script that exists where the image copies the worker', () => {
    const script = WORKER_HEALTH_COMMAND.at(-1) as string;
    expect(script.startsWith('containers/worker/')).toBe(true);
    expect(existsSync(join(REPO_ROOT, script))).toBe(true);
  });
});
