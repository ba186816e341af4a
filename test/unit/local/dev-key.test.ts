import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { revokeApiKey, verifyApiKey } from '../../../core/jobs/api-keys.ts';
import { ensureDevKey } from '../../../local/dev-key.ts';
import { MemoryKeyStore } from '../core/jobs/memory-ports.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('ensureDevKey', () => {
  it('keeps the data dir key across starts, but replaces one that was revoked', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cutout-dev-key-'));
    dirs.push(dataDir);
    const keys = new MemoryKeyStore();
    const first = await ensureDevKey(keys, dataDir, undefined);
    expect(await ensureDevKey(keys, dataDir, undefined)).toBe(first);
    const record = await verifyApiKey(first, { keys });
    await revokeApiKey(record.keyId, { keys });
    const next = await ensureDevKey(keys, dataDir, undefined);
    expect(next).not.toBe(first);
    // The revoked key stays revoked; the new one works.
    await expect(verifyApiKey(first, { keys })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(verifyApiKey(next, { keys })).resolves.toMatchObject({ name: 'development' });
  });
});
