import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoKeyStore } from '../../../adapters/aws/dynamo-key-store.ts';
import { DynamoWebhookSecrets } from '../../../adapters/aws/dynamo-webhook-secrets.ts';
import { createApiKey } from '../../../core/jobs/api-keys.ts';
import { WEBHOOK_SECRET_PREFIX } from '../../../core/webhooks/webhook-settings.ts';
import type { LocalStack } from '../../../local/local-stack.ts';
import { startTestStack } from './local-stack-harness.ts';

/**
 * Webhook signing secrets through `cutout keys` run as a user runs it (its own process) against
 * a running local stack: printed at creation, shown again, rotated; a key made without one gets
 * one on first use, and racing first uses agree on it.
 */

const run = promisify(execFile);
let stack: LocalStack;
let home: string;
let dataDir: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'cutout-secret-home-'));
  dataDir = await mkdtemp(join(tmpdir(), 'cutout-secret-data-'));
  stack = await startTestStack({ dataDir });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await rm(home, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(
    process.execPath,
    ['--import', 'tsx', 'local/cli.ts', 'keys', ...args, '-d', dataDir],
    {
      env: { ...process.env, XDG_CACHE_HOME: home },
    },
  );
}

describe('cutout keys and webhook signing secrets', () => {
  it('prints the secret at creation, again on request, and a new one on --rotate', {
    timeout: 120_000,
  }, async () => {
    const created = await cli('create', '--name', 'hooks');
    const keyId = /\((key_[0-9a-f]{16})\)/.exec(created.stderr)?.[1] as string;
    const secret = /webhook signing secret: (whsec_[A-Za-z0-9_-]+)/.exec(created.stderr)?.[1];
    expect(keyId, created.stderr).toBeDefined();
    expect(secret, created.stderr).toBeDefined();
    expect(created.stdout).not.toContain('whsec_');

    expect((await cli('webhook-secret', keyId)).stdout.trim()).toBe(secret);
    const rotated = (await cli('webhook-secret', keyId, '--rotate')).stdout.trim();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    expect((await cli('webhook-secret', keyId)).stdout.trim()).toBe(rotated);
    // The secrets live beside the keys in the keys table; listing keys shows the key once.
    const listed = (await cli('list')).stdout;
    expect(listed.split(keyId)).toHaveLength(2);
    expect(listed).not.toContain(WEBHOOK_SECRET_PREFIX);

    await expect(cli('webhook-secret', 'key_0123456789abcdef')).rejects.toMatchObject({
      stderr: expect.stringMatching(/id: no key has the id key_0123456789abcdef/),
    });
    await expect(cli('webhook-secret', 'nope')).rejects.toMatchObject({
      stderr: expect.stringMatching(/id: "nope" is not a key id/),
    });
  });

  it('gives a key made without a secret one on first use; racing first uses agree', async () => {
    const { keysTable } = stack.emulators.resources;
    const { record } = await createApiKey(
      { name: 'older key' },
      { keys: new DynamoKeyStore(stack.clients.dynamo, keysTable) },
    );
    const secrets = Array.from(
      { length: 6 },
      () => new DynamoWebhookSecrets(stack.clients.dynamo, keysTable),
    );
    const got = await Promise.all(secrets.map((s) => s.secretFor(record.keyId)));
    expect(new Set(got).size).toBe(1);
    expect(got[0]).toMatch(/^whsec_/);
    // The key itself still works as before: its record reads back unchanged, and the list
    // holds keys only, not their secrets' items.
    const keys = new DynamoKeyStore(stack.clients.dynamo, keysTable);
    expect(await keys.findByHash(record.keyHash)).toEqual(record);
    const listed = await keys.list();
    expect(listed.find((r) => r.keyId === record.keyId)).toEqual(record);
    expect(listed.filter((r) => r.keyHash.startsWith(WEBHOOK_SECRET_PREFIX))).toEqual([]);
  });
});
