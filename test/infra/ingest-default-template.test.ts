import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_OUTPUTS } from '../../infra/stacks/service-stack.ts';
import {
  removeOutput,
  resourcesOfType,
  SYNTH_TIMEOUT_MS,
  type SynthesizedApp,
  synthesizeApp,
} from './support/test-app.ts';

/**
 * `cutout:ingest` is opt-in: left unset or set to `lambda`, the deployment is exactly what it
 * was before the streaming door existed (the "same template"). Two synths of the same
 * tree, so even the asset hashes must agree.
 */

let implicit: SynthesizedApp | undefined;
let explicit: SynthesizedApp | undefined;
beforeAll(async () => {
  implicit = await synthesizeApp();
  explicit = await synthesizeApp({ 'cutout:ingest': 'lambda' });
}, 2 * SYNTH_TIMEOUT_MS);
afterAll(async () => {
  await removeOutput(implicit?.outdir);
  await removeOutput(explicit?.outdir);
});

const apps = () => {
  if (!implicit || !explicit) throw new Error('synthesized in beforeAll');
  return { implicit, explicit };
};

/** Resource types only the streaming door creates. */
const DOOR_TYPES = [
  'AWS::ElasticLoadBalancingV2::LoadBalancer',
  'AWS::ElasticLoadBalancingV2::Listener',
  'AWS::ElasticLoadBalancingV2::TargetGroup',
  'AWS::CloudFront::Distribution',
  'AWS::CloudFront::VpcOrigin',
  'AWS::Route53::RecordSet',
];

describe('cutout:ingest=lambda (the default)', () => {
  it('synthesizes the same templates whether ingest is unset or set to lambda', () => {
    const { implicit: a, explicit: b } = apps();
    expect(b.serviceTemplate.toJSON()).toEqual(a.serviceTemplate.toJSON());
    expect(b.storageTemplate.toJSON()).toEqual(a.storageTemplate.toJSON());
    expect(b.accountTemplate.toJSON()).toEqual(a.accountTemplate.toJSON());
  });

  it('creates no streaming door: no load balancer, CloudFront, ingest task or door output', () => {
    const { serviceTemplate } = apps().implicit;
    for (const type of DOOR_TYPES) {
      expect(resourcesOfType(serviceTemplate, type), type).toEqual([]);
    }
    // The image and the video workers, nothing else.
    const tasks = resourcesOfType(serviceTemplate, 'AWS::ECS::TaskDefinition');
    expect(tasks.map(([id]) => id.replace(/Task[0-9A-F]{8}$/, '')).sort()).toEqual([
      'ImageWorkers',
      'VideoWorkers',
    ]);
    expect(
      resourcesOfType(serviceTemplate, 'AWS::EC2::Subnet').map(([id]) =>
        id.replace(/Subnet\d.*$/, ''),
      ),
    ).toEqual(['NetworkVpcworkers', 'NetworkVpcworkers']);
    expect(serviceTemplate.findOutputs(INGEST_OUTPUTS.ingestUrl)).toEqual({});
    // CDK's bootstrap check only: no certificate-region rule.
    expect(Object.keys(serviceTemplate.toJSON().Rules ?? {})).toEqual(['CheckBootstrapVersion']);
  });
});
