import { describe, expect, it } from 'vitest';
import { DEFAULT_INLINE_LIMIT_BYTES, DEFAULT_JOB_TTL_DAYS } from '../../core/config/resources.ts';
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
      bundleMetafile: false,
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
      }),
    );
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
    expect(() => loadConfig(from({ 'cutout:alarmEmail': 'not-an-address' }))).toThrow(
      /cutout:alarmEmail/,
    );
  });

  it('keeps the minimum within the maximum', () => {
    expect(() => loadConfig(from({ 'cutout:minWorkers': 5, 'cutout:maxImageWorkers': 2 }))).toThrow(
      /cutout:minWorkers: minWorkers must not exceed maxImageWorkers/,
    );
  });

  it('names the stacks after the stage', () => {
    expect(stackNames('prod')).toEqual({ service: 'cutout-prod', storage: 'cutout-prod-storage' });
  });
});
