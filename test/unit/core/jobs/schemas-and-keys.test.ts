import { describe, expect, it } from 'vitest';
import {
  createApiKey,
  hashApiKey,
  keyFromAuthorization,
  verifyApiKey,
} from '../../../../core/jobs/api-keys.ts';
import {
  DEFAULT_JOB_LIMITS,
  MAX_PARTS,
  needsMultipart,
  partPlan,
} from '../../../../core/jobs/job-limits.ts';
import { parseJobMessage } from '../../../../core/jobs/job-message.ts';
import { parseUploads } from '../../../../core/jobs/uploads.ts';
import { MemoryKeyStore } from './memory-ports.ts';

describe('parseJobMessage', () => {
  it('accepts the v1 id-only shape', () => {
    const body = JSON.stringify({
      v: 1,
      jobId: '11111111-2222-4333-8444-555555555555',
      fileId: '0003',
      kind: 'video',
    });
    expect(parseJobMessage(body)).toMatchObject({ fileId: '0003', kind: 'video' });
  });

  it.each([
    ['not json', 'not json'],
    [
      'other version',
      JSON.stringify({
        v: 2,
        jobId: '11111111-2222-4333-8444-555555555555',
        fileId: '0000',
        kind: 'image',
      }),
    ],
    ['bad id', JSON.stringify({ v: 1, jobId: 'x', fileId: '0000', kind: 'image' })],
    [
      'bad kind',
      JSON.stringify({
        v: 1,
        jobId: '11111111-2222-4333-8444-555555555555',
        fileId: '0000',
        kind: 'audio',
      }),
    ],
  ])('refuses %s as INVALID_REQUEST', (_, body) => {
    expect(() => parseJobMessage(body)).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });
});

describe('parseUploads', () => {
  it('takes a list or its JSON text and names the bad entry', () => {
    expect(parseUploads('[{"filename":"a.png","size":"12","content_type":"image/png"}]')).toEqual([
      { filename: 'a.png', size: 12, contentType: 'image/png' },
    ]);
    expect(() => parseUploads([{ filename: 'a', size: 1 }])).toThrow(
      /^uploads\[0\]\.content_type:/,
    );
    expect(() => parseUploads('nope')).toThrow(/^uploads:/);
    expect(() => parseUploads([])).toThrow(/^uploads:/);
  });
});

describe('multipart plan', () => {
  it('keeps parts at or above the minimum and within 10,000', () => {
    const small = partPlan(100 * 1024 ** 2 + 1, DEFAULT_JOB_LIMITS.minPartBytes);
    expect(small.partSize).toBe(DEFAULT_JOB_LIMITS.minPartBytes);
    const huge = partPlan(1024 ** 4, DEFAULT_JOB_LIMITS.minPartBytes);
    expect(huge.partCount).toBeLessThanOrEqual(MAX_PARTS);
    expect(huge.partCount * huge.partSize).toBeGreaterThanOrEqual(1024 ** 4);
    expect(needsMultipart(10, DEFAULT_JOB_LIMITS)).toBe(false);
    expect(
      needsMultipart(6 * 1024 ** 3, {
        ...DEFAULT_JOB_LIMITS,
        multipartThresholdBytes: 10 * 1024 ** 3,
      }),
    ).toBe(true);
  });
});

describe('API keys', () => {
  it('stores only the hash and finds the key from either header form', async () => {
    const keys = new MemoryKeyStore();
    const { key, record } = await createApiKey({ name: 'ci' }, { keys });
    expect(JSON.stringify([...keys.records.values()])).not.toContain(key);
    expect(record.keyHash).toBe(hashApiKey(key));
    expect((await verifyApiKey(key, { keys })).keyId).toBe(record.keyId);
    expect((await verifyApiKey(`Bearer ${key}`, { keys })).keyId).toBe(record.keyId);
    expect((await verifyApiKey(`bearer   ${key} `, { keys })).keyId).toBe(record.keyId);
  });

  it('refuses a missing or unknown key with UNAUTHORIZED', async () => {
    const keys = new MemoryKeyStore();
    await expect(verifyApiKey(undefined, { keys })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(verifyApiKey('Bearer ', { keys })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(verifyApiKey('x'.repeat(30), { keys })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    expect(keyFromAuthorization('  ')).toBeUndefined();
  });

  it('accepts a pinned key of API Gateway length only', async () => {
    const keys = new MemoryKeyStore();
    await expect(createApiKey({ name: 'dev', key: 'short' }, { keys })).rejects.toMatchObject({
      field: 'key',
    });
    const pinned = 'dev-key-0123456789abcdef';
    expect((await createApiKey({ name: 'dev', key: pinned }, { keys })).key).toBe(pinned);
  });
});
