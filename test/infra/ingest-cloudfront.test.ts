import { describe, expect, it } from 'vitest';
import { ingestTimeouts } from '../../containers/ingest/timeouts.ts';
import { INGEST_ORIGIN_SUBNETS, WORKER_VPC_CIDR } from '../../infra/constructs/worker-network.ts';
import { CLOUDFRONT_MAX_READ_TIMEOUT_SECONDS } from '../../infra/ingest-config.ts';
import { INGEST_OUTPUTS } from '../../infra/stacks/service-stack.ts';
import { DOOR, only, referenced } from './support/ingest-template.ts';
import { type CfnJson, resourcesOfType, synthesizedForFile } from './support/test-app.ts';

/** AWS's managed policies (ids are fixed and published). */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER = '216adef6-5c7f-47e4-b989-5492eafa07d3';

// HTTPS without a domain: the default ingestHttps. prod, so the retained log bucket is covered;
// cdk-nag on, so an unacknowledged finding fails the synth.
const built = synthesizedForFile(
  { 'cutout:ingest': 'streaming', 'cutout:stage': 'prod' },
  { nag: true },
);
const template = () => built.serviceTemplate;

describe('streaming door, ingestHttps=cloudfront (default)', () => {
  it('passes cdk-nag with CloudFront’s findings acknowledged with reasons', () => {
    const findings = built.summary.nagFindings ?? [];
    expect(findings.filter((f) => (f.reason ?? '').length < 20)).toEqual([]);
    const cdn = findings
      .filter((f) => f.constructPath.includes(`/${DOOR}/Cdn/`))
      .map((f) => f.ruleName)
      .sort();
    expect(cdn).toEqual([
      'AwsSolutions-CFR1',
      'AwsSolutions-CFR2',
      'AwsSolutions-CFR3',
      'AwsSolutions-CFR4',
    ]);
    // Nothing open to the internet: no EC23 on the door.
    expect(
      findings.filter(
        (f) => f.constructPath.includes(`/${DOOR}/`) && f.ruleName === 'AwsSolutions-EC23',
      ),
    ).toEqual([]);
  });

  it('keeps the load balancer internal, in subnets with no route out, reachable on port 80 from the VPC only', () => {
    const [, lb] = only(template(), 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(lb.Properties.Scheme).toBe('internal');
    const subnets = (lb.Properties.Subnets as CfnJson[]).map(referenced);
    expect(subnets).toHaveLength(2);
    const prefix = `NetworkVpc${INGEST_ORIGIN_SUBNETS.replace(/-/g, '')}Subnet`;
    for (const subnet of subnets) expect(subnet).toMatch(new RegExp(`^${prefix}`));
    // Isolated: their route tables have no default route (no internet gateway, no NAT).
    const routes = resourcesOfType(template(), 'AWS::EC2::Route').filter(([id]) =>
      id.startsWith(prefix),
    );
    expect(routes).toEqual([]);
    const [, group] = only(template(), 'AWS::EC2::SecurityGroup', 'LoadBalancerSecurity');
    expect(group.Properties.SecurityGroupIngress).toEqual([
      expect.objectContaining({ CidrIp: WORKER_VPC_CIDR, FromPort: 80, ToPort: 80 }),
    ]);
    template().hasResourceProperties('AWS::EC2::VPC', { CidrBlock: WORKER_VPC_CIDR });
    const listeners = resourcesOfType(template(), 'AWS::ElasticLoadBalancingV2::Listener');
    expect(listeners.map(([, l]) => [l.Properties.Port, l.Properties.Protocol])).toEqual([
      [80, 'HTTP'],
    ]);
  });

  it('puts a non-caching CloudFront distribution in front, through a VPC origin', () => {
    const [lbId] = only(template(), 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    const [originId, origin] = only(template(), 'AWS::CloudFront::VpcOrigin');
    expect(origin.Properties.VpcOriginEndpointConfig).toMatchObject({
      HTTPPort: 80,
      OriginProtocolPolicy: 'http-only',
    });
    expect(referenced(origin.Properties.VpcOriginEndpointConfig.Arn)).toBe(lbId);

    const [, distribution] = only(template(), 'AWS::CloudFront::Distribution');
    const config = distribution.Properties.DistributionConfig;
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER,
      Compress: false,
    });
    expect([...config.DefaultCacheBehavior.AllowedMethods].sort()).toEqual(
      ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'].sort(),
    );
    expect(config.Origins).toHaveLength(1);
    const vpcOrigin = config.Origins[0].VpcOriginConfig;
    expect(referenced(vpcOrigin.VpcOriginId)).toBe(originId);
    expect(vpcOrigin.OriginReadTimeout).toBe(CLOUDFRONT_MAX_READ_TIMEOUT_SECONDS);
    // CloudFront lets idle connections go before the load balancer does.
    const lbIdle = ingestTimeouts(60).loadBalancerIdleSeconds;
    expect(vpcOrigin.OriginKeepaliveTimeout).toBeLessThan(lbIdle);
    // A stalled upload's 408 (after INGEST_IDLE_TIMEOUT_SECONDS) comes back before CloudFront gives up.
    expect(vpcOrigin.OriginReadTimeout).toBeGreaterThan(60);
    expect(config.ViewerCertificate).toBeUndefined();
  });

  it('outputs the distribution’s https URL and no DNS target', () => {
    const [distributionId] = only(template(), 'AWS::CloudFront::Distribution');
    const [output] = Object.values(template().findOutputs(INGEST_OUTPUTS.ingestUrl));
    expect(output?.Value).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]],
    });
    expect(template().findOutputs(INGEST_OUTPUTS.ingestDnsTarget)).toEqual({});
  });

  it('keeps the access logs when a prod stack is deleted', () => {
    const [, bucket] = only(template(), 'AWS::S3::Bucket', 'AccessLogs');
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(resourcesOfType(template(), 'Custom::S3AutoDeleteObjects')).toEqual([]);
  });

  it('sizes the task at 0.25 vCPU and 0.5 GB and keeps one running by default', () => {
    const [, task] = only(template(), 'AWS::ECS::TaskDefinition', DOOR);
    expect(task.Properties).toMatchObject({ Cpu: '256', Memory: '512' });
    const [, service] = only(template(), 'AWS::ECS::Service', DOOR);
    expect(service.Properties.DesiredCount).toBe(1);
    const [, target] = only(template(), 'AWS::ApplicationAutoScaling::ScalableTarget', DOOR);
    expect(target.Properties).toMatchObject({ MinCapacity: 1, MaxCapacity: 4 });
  });
});
