import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config.ts';
import { certificateRegion, FARGATE_SIZES } from '../../infra/ingest-config.ts';

const load = (values: Record<string, unknown>) => loadConfig((key) => values[key]);
const error = (values: Record<string, unknown>): string => {
  try {
    load(values);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the configuration was accepted');
};

const CERTIFICATE =
  'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab';
const streaming = { 'cutout:ingest': 'streaming' };
const withCertificate = {
  ...streaming,
  'cutout:ingestHttps': 'certificate',
  'cutout:ingestDomainName': 'cutout.example.com',
  'cutout:ingestCertificateArn': CERTIFICATE,
};

describe('front-door configuration', () => {
  it('defaults to the Lambda door; the streaming door defaults to CloudFront HTTPS on 0.25 vCPU ARM', () => {
    expect(load({}).ingest).toBe('lambda');
    expect(load(streaming)).toMatchObject({
      ingest: 'streaming',
      ingestHttps: 'cloudfront',
      ingestCpu: 256,
      ingestMemoryMiB: 512,
      ingestMinTasks: 1,
      ingestMaxTasks: 4,
      ingestIdleTimeoutSeconds: 60,
    });
    expect(load(streaming).ingestMaxUploadBytes).toBeUndefined();
  });

  it('coerces command-line strings', () => {
    expect(
      load({
        ...streaming,
        'cutout:ingestCpu': '1024',
        'cutout:ingestMemoryMiB': '2048',
        'cutout:ingestMinTasks': '2',
        'cutout:ingestMaxTasks': '3',
        'cutout:ingestMaxUploadBytes': '1073741824',
      }),
    ).toMatchObject({
      ingestCpu: 1024,
      ingestMemoryMiB: 2048,
      ingestMinTasks: 2,
      ingestMaxTasks: 3,
      ingestMaxUploadBytes: 1024 ** 3,
    });
  });

  it('refuses an unknown door', () => {
    expect(error({ 'cutout:ingest': 'apigw' })).toMatch(/cutout:ingest:/);
  });

  it('needs a certificate and a domain for ingestHttps=certificate, naming each', () => {
    const message = error({ ...streaming, 'cutout:ingestHttps': 'certificate' });
    expect(message).toMatch(/cutout:ingestCertificateArn: required with ingestHttps=certificate/);
    expect(message).toMatch(/cutout:ingestDomainName: required with ingestHttps=certificate/);
    expect(load(withCertificate).ingestCertificateArn).toBe(CERTIFICATE);
  });

  it('refuses a certificate without a domain, and a domain without a certificate', () => {
    const { 'cutout:ingestDomainName': _, ...noDomain } = withCertificate;
    expect(error(noDomain)).toMatch(/cutout:ingestDomainName: required/);
    const { 'cutout:ingestCertificateArn': __, ...noCertificate } = withCertificate;
    expect(error(noCertificate)).toMatch(/cutout:ingestCertificateArn: required/);
  });

  it('refuses certificate settings with CloudFront, and door settings with the Lambda door', () => {
    expect(error({ ...streaming, 'cutout:ingestCertificateArn': CERTIFICATE })).toMatch(
      /cutout:ingestCertificateArn: only used with ingestHttps=certificate/,
    );
    expect(error({ 'cutout:ingestDomainName': 'cutout.example.com' })).toMatch(
      /cutout:ingestDomainName: only used by the streaming front door: set cutout:ingest=streaming/,
    );
  });

  it('checks the shape of the certificate ARN, the domain and the hosted zone', () => {
    expect(
      error({ ...withCertificate, 'cutout:ingestCertificateArn': 'arn:aws:iam::1:role/x' }),
    ).toMatch(/cutout:ingestCertificateArn: an ACM certificate ARN/);
    expect(error({ ...withCertificate, 'cutout:ingestDomainName': 'Not A Host' })).toMatch(
      /cutout:ingestDomainName: a lower-case DNS name/,
    );
    expect(error({ ...withCertificate, 'cutout:ingestHostedZoneId': 'Z0123' })).toMatch(
      /cutout:ingestHostedZoneName: ingestHostedZoneId and ingestHostedZoneName go together/,
    );
    expect(
      error({
        ...withCertificate,
        'cutout:ingestHostedZoneId': 'Z0123',
        'cutout:ingestHostedZoneName': 'example.org',
      }),
    ).toMatch(/cutout:ingestDomainName: must be example.org or a name under it/);
    expect(
      load({
        ...withCertificate,
        'cutout:ingestHostedZoneId': 'Z0123',
        'cutout:ingestHostedZoneName': 'example.com',
      }).ingestHostedZoneName,
    ).toBe('example.com');
  });

  it('accepts only Fargate task sizes up to 1 vCPU', () => {
    expect(
      error({ ...streaming, 'cutout:ingestCpu': 2048, 'cutout:ingestMemoryMiB': 4096 }),
    ).toMatch(/cutout:ingestCpu: one of 256, 512, 1024/);
    expect(
      error({ ...streaming, 'cutout:ingestCpu': 256, 'cutout:ingestMemoryMiB': 4096 }),
    ).toMatch(/cutout:ingestMemoryMiB: with ingestCpu=256, Fargate allows 512, 1024, 2048 MiB/);
    for (const [cpu, memories] of Object.entries(FARGATE_SIZES)) {
      for (const memory of memories) {
        expect(
          load({ ...streaming, 'cutout:ingestCpu': cpu, 'cutout:ingestMemoryMiB': memory })
            .ingestCpu,
        ).toBe(Number(cpu));
      }
    }
  });

  it('keeps at least one task and the minimum under the maximum', () => {
    expect(error({ ...streaming, 'cutout:ingestMinTasks': 0 })).toMatch(/cutout:ingestMinTasks:/);
    expect(error({ ...streaming, 'cutout:ingestMinTasks': 5, 'cutout:ingestMaxTasks': 2 })).toMatch(
      /cutout:ingestMinTasks: must not exceed ingestMaxTasks/,
    );
  });

  it('bounds the idle timeout behind CloudFront by its 120 s origin response timeout', () => {
    expect(error({ ...streaming, 'cutout:ingestIdleTimeoutSeconds': 120 })).toMatch(
      /cutout:ingestIdleTimeoutSeconds: at most 90 with ingestHttps=cloudfront/,
    );
    expect(
      load({ ...streaming, 'cutout:ingestIdleTimeoutSeconds': 90 }).ingestIdleTimeoutSeconds,
    ).toBe(90);
    // With the load balancer's own listener, only the service's bound applies.
    expect(
      load({ ...withCertificate, 'cutout:ingestIdleTimeoutSeconds': 600 }).ingestIdleTimeoutSeconds,
    ).toBe(600);
  });

  it('reads the certificate region from its ARN', () => {
    expect(certificateRegion(CERTIFICATE)).toBe('us-east-1');
    expect(certificateRegion('arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/x')).toBe(
      'us-gov-west-1',
    );
  });
});
