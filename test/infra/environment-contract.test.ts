import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { workerTaskEnvShape } from '../../containers/worker/env.ts';
import { ENV } from '../../core/config/resources.ts';
import { authorizerEnvShape } from '../../functions/authorizer/env.ts';
import { convertEnvShape } from '../../functions/convert/env.ts';
import { deliverWebhookEnvShape } from '../../functions/deliver-webhook/env.ts';
import { filesEnvShape } from '../../functions/files/env.ts';
import { deadLetterEnvShape } from '../../functions/on-dead-letter/env.ts';
import { uploadEnvShape } from '../../functions/on-upload/env.ts';
import { reconcilerEnvShape } from '../../functions/reconciler/env.ts';
import { resultsEnvShape } from '../../functions/results/env.ts';
import { FUNCTION_NAMES, type FunctionName } from '../../infra/constructs/node-function.ts';
import { isRequired } from '../../infra/environment-for.ts';
import { type CfnResource, resourcesOfType, synthesizedForFile } from './support/test-app.ts';

/**
 * Drift between what infra passes and what each entry point parses fails here: every variable
 * in a synthesized function or task is one its schema reads, and every required one is there.
 */

const SHAPES: Readonly<Record<FunctionName, z.ZodRawShape>> = {
  convert: convertEnvShape,
  results: resultsEnvShape,
  files: filesEnvShape,
  authorizer: authorizerEnvShape,
  'on-upload': uploadEnvShape,
  'on-dead-letter': deadLetterEnvShape,
  reconciler: reconcilerEnvShape,
  'deliver-webhook': deliverWebhookEnvShape,
};
/** Set for the runtime, not for cutout: Node's flags, the NVIDIA container runtime's devices. */
const FUNCTION_RUNTIME_ONLY = ['NODE_OPTIONS'];
const TASK_RUNTIME_ONLY = ['NVIDIA_DRIVER_CAPABILITIES'];

const required = (shape: z.ZodRawShape) =>
  Object.entries(shape)
    .filter(([, schema]) => isRequired(schema as z.ZodType))
    .map(([name]) => name);

const built = synthesizedForFile();

function functionNamed(name: string): CfnResource {
  const found = resourcesOfType(built.serviceTemplate, 'AWS::Lambda::Function').filter(
    ([id, fn]) =>
      fn.Properties.Handler === 'index.handler' &&
      id.toLowerCase().includes(name.replace(/-/g, '')),
  );
  expect(found, name).toHaveLength(1);
  return (found[0] as [string, CfnResource])[1];
}

describe('each function and task gets exactly the variables its schema reads', () => {
  it.each(FUNCTION_NAMES)('%s', (name) => {
    const shape = SHAPES[name];
    const names = Object.keys(functionNamed(name).Properties.Environment.Variables as object);
    const cutouts = names.filter((n) => !FUNCTION_RUNTIME_ONLY.includes(n));
    expect(cutouts.filter((n) => !(n in shape))).toEqual([]);
    expect(required(shape).filter((n) => !names.includes(n))).toEqual([]);
  });

  it('the image and the video task definitions', () => {
    const tasks = resourcesOfType(built.serviceTemplate, 'AWS::ECS::TaskDefinition');
    expect(tasks).toHaveLength(2);
    for (const [, task] of tasks) {
      const names = (task.Properties.ContainerDefinitions[0].Environment as { Name: string }[]).map(
        (e) => e.Name,
      );
      const cutouts = names.filter((n) => !TASK_RUNTIME_ONLY.includes(n));
      expect(cutouts.filter((n) => !(n in workerTaskEnvShape))).toEqual([]);
      expect(required(workerTaskEnvShape).filter((n) => !names.includes(n))).toEqual([]);
      // Conditionally required: the queue this service consumes.
      expect(names.some((n) => n === ENV.imageQueueUrl || n === ENV.videoQueueUrl)).toBe(true);
    }
  });

  it('passes none of the variables issue 11 found unread', () => {
    const env = (name: string) =>
      Object.keys(functionNamed(name).Properties.Environment.Variables as object);
    expect(env('convert')).not.toContain(ENV.outputBucket);
    expect(env('on-upload')).not.toContain(ENV.outputBucket);
    expect(env('results')).not.toContain(ENV.jobTtlDays);
    expect(env('files')).not.toContain(ENV.jobTtlDays);
    for (const [, task] of resourcesOfType(built.serviceTemplate, 'AWS::ECS::TaskDefinition')) {
      const names = (task.Properties.ContainerDefinitions[0].Environment as { Name: string }[]).map(
        (e) => e.Name,
      );
      expect(names).not.toContain(ENV.jobTtlDays);
    }
  });
});
