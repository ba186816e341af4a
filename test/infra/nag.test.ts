import { App, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';

// The whole app is synthesized with these checks in service-stack.test.ts (GPU, dev) and
// fargate-workers.test.ts (Fargate, prod); this file shows the checks have teeth.
describe('cdk-nag AwsSolutions as the app registers it', () => {
  it('fails the synth on an unacknowledged finding', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'careless');
    new Bucket(stack, 'Careless', { enforceSSL: false });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });

  it('lets an acknowledged finding through', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'acknowledged');
    const bucket = new Bucket(stack, 'Bucket', { enforceSSL: true });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason: 'test: access logging is out of scope here',
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});
