import { describe, expect, it } from 'vitest';
import {
  DEFAULT_INLINE_LIMIT_BYTES,
  MAX_INLINE_LIMIT_BYTES,
} from '../../core/config/inline-limit.ts';
import { DEFAULT_JOB_TTL_DAYS } from '../../core/config/resources.ts';
import { loadConfig, stackNames } from '../../infra/config.ts';
import { cdkJsonContext } from './support/test-app.ts';

const from = (values: Record<string, unknown>) => (key: string) => values[key];

describe('infra config', () => {
  it('defaults to a scale-to-zero GPU deployment on spot', () => {
    const config = loadConfig(from({}));
    expect(config).toMatchObject({
      stage: 'dev',
      workerCompute: 'gpu',
      instanceTypes: ['g6.xlarge', 'g5.xlarge', 'g4dn.xlarge'],
      minWorkers: 0,
      spot: true,
      jobTtlDays: DEFAULT_JOB_TTL_DAYS,
      inlineLimitBytes: DEFAULT_INLINE_LIMIT_BYTES,
      workerModels: ['u2net', 'u2netp', 'u2net_human_seg'],
      bindResultsToKey: false,
      commercialSafeOnly: false,
      pollRateLimit: 20,
      pollBurstLimit: 40,
      bundleMetafile: false,
      logLevel: 'info',
    });
    expect(config.alarmEmail).toBeUndefined();
  });

  it('agrees with the defaults written in cdk.json', () => {
    const fromCdkJson = loadConfig(from(cdkJsonContext()));
    expect(fromCdkJson).toEqual(loadConfig(from({})));
  });

  it('coerces command-line strings (-c cutout:<key>=<value>)', () => {
    const config = loadConfig(
      from({
        'cutout:workerCompute': 'fargate',
        'cutout:instanceTypes': 'g4dn.xlarge, g5.xlarge',
        'cutout:minWorkers': '1',
        'cutout:maxImageWorkers': '8',
        'cutout:spot': 'false',
        'cutout:logRetentionDays': '90',
        'cutout:corsOrigins': 'https://a.example,https://b.example',
        'cutout:commercialSafeOnly': 'yes',
      }),
    );
    expect(config.commercialSafeOnly).toBe(true);
    expect(config).toMatchObject({
      workerCompute: 'fargate',
      instanceTypes: ['g4dn.xlarge', 'g5.xlarge'],
      minWorkers: 1,
      maxImageWorkers: 8,
      spot: false,
      logRetentionDays: 90,
      corsOrigins: ['https://a.example', 'https://b.example'],
    });
  });

  it('rejects bad values, naming the context key', () => {
    expect(() => loadConfig(from({ 'cutout:instanceTypes': 'p5.48xlarge' }))).toThrow(
      /cutout:instanceTypes\.0/,
    );
    expect(() => loadConfig(from({ 'cutout:stage': 'Prod!' }))).toThrow(/cutout:stage/);
    expect(() => loadConfig(from({ 'cutout:logRetentionDays': 10 }))).toThrow(
      /cutout:logRetentionDays/,
    );
    expect(() => loadConfig(from({ 'cutout:inlineLimitBytes': 20 * 1024 * 1024 }))).toThrow(
      /cutout:inlineLimitBytes/,
    );
    expect(() => loadConfig(from({ 'cutout:spot': 'maybe' }))).toThrow(/cutout:spot/);
    expect(() => loadConfig(from({ 'cutout:logLevel': 'verbose' }))).toThrow(/cutout:logLevel/);
    expect(() => loadConfig(from({ 'cutout:alarmEmail': 'not-an-address' }))).toThrow(
      /cutout:alarmEmail/,
    );
  });

  it('refuses an inline limit whose body would not fit Lambda’s 6 MB event, saying why', () => {
    expect(DEFAULT_INLINE_LIMIT_BYTES).toBe(MAX_INLINE_LIMIT_BYTES);
    expect(loadConfig(from({ 'cutout:inlineLimitBytes': '1048576' })).inlineLimitBytes).toBe(
      1_048_576,
    );
    expect(
      loadConfig(from({ 'cutout:inlineLimitBytes': MAX_INLINE_LIMIT_BYTES })).inlineLimitBytes,
    ).toBe(MAX_INLINE_LIMIT_BYTES);
    expect(() =>
      loadConfig(from({ 'cutout:inlineLimitBytes': MAX_INLINE_LIMIT_BYTES + 1 })),
    ).toThrow(
      /cutout:inlineLimitBytes: at most 4\.39 MiB \(4603904 bytes\): a larger body, base64-encoded, does not fit Lambda's 6 MB request event/,
    );
  });

  it('takes the worker image models from the manifest, the default model included', () => {
    expect(
      loadConfig(from({ 'cutout:workerModels': 'u2net, isnet-general-use' })).workerModels,
    ).toEqual(['u2net', 'isnet-general-use']);
    expect(() => loadConfig(from({ 'cutout:workerModels': 'u2net,birefnet' }))).toThrow(
      /cutout:workerModels\.1: not a downloadable model/,
    );
    // AGPL development weights packaged on npm never go into the image.
    expect(() => loadConfig(from({ 'cutout:workerModels': 'u2net,isnet-imgly' }))).toThrow(
      /cutout:workerModels\.1/,
    );
    expect(() => loadConfig(from({ 'cutout:workerModels': 'u2netp' }))).toThrow(
      /cutout:workerModels: must include u2net/,
    );
  });

  it('keeps the minimum within the maximum', () => {
    expect(() => loadConfig(from({ 'cutout:minWorkers': 5, 'cutout:maxImageWorkers': 2 }))).toThrow(
      /cutout:minWorkers: minWorkers must not exceed maxImageWorkers/,
    );
  });

  it('names the stacks after the stage', () => {
    expect(stackNames('prod')).toEqual({
      service: 'cutout-prod',
      storage: 'cutout-prod-storage',
      account: 'cutout-account',
    });
  });
});
