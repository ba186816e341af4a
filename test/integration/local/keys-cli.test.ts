import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/local-stack.ts';
import { samplePng } from '../worker/worker-harness.ts';
import { startTestStack } from './local-stack-harness.ts';

/**
 * `cutout keys create --expires`, `keys revoke` and `keys list` run as a user runs them (their
 * own processes) against running local stacks, on both front doors: a revoked key is refused
 * at once (the local stack reads the keys table on every request), an expired one once its
 * time has passed.
 */

const run = promisify(execFile);
const dirs: string[] = [];
const stacks: LocalStack[] = [];

async function stackOn(frontDoor: 'streaming' | 'lambda'): Promise<LocalStack> {
  const dataDir = await mkdtemp(join(tmpdir(), `cutout-keys-${frontDoor}-`));
  dirs.push(dataDir);
  const stack = await startTestStack({ dataDir, frontDoor });
  stacks.push(stack);
  return stack;
}

let home: string;
beforeAll(async () => {
  // The stack announces itself under the user's cache folder: keep that out of the real one.
  home = await mkdtemp(join(tmpdir(), 'cutout-keys-home-'));
  dirs.push(home);
});

afterAll(async () => {
  for (const stack of stacks) await stack.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', 'local/cli.ts', 'keys', ...args], {
    env: { ...process.env, XDG_CACHE_HOME: home },
  });
}

async function convert(stack: LocalStack, key: string): Promise<Response> {
  const form = new FormData();
  form.append('convert_to', 'image-backgroundremover');
  form.append('files', new Blob([await samplePng(16, 16)], { type: 'image/png' }), 'k.png');
  return fetch(`${stack.url}/v1/convert/`, {
    method: 'POST',
    headers: { Authorization: key },
    body: form,
  });
}

describe.each(['streaming', 'lambda'] as const)('cutout keys on the %s door', (door) => {
  it('revokes a key (401 at once), expires one, and lists both states', {
    timeout: 120_000,
  }, async () => {
    const stack = await stackOn(door);
    const created = await cli(
      'create',
      '--name',
      'ci job',
      '--expires',
      '30d',
      '-d',
      stack.dataDir,
    );
    const key = created.stdout.trim();
    const keyId = /\((key_[0-9a-f]{16}), expires /.exec(created.stderr)?.[1];
    expect(keyId, created.stderr).toBeDefined();
    expect((await convert(stack, key)).status).toBe(200);

    const revoked = await cli('revoke', keyId as string, '-d', stack.dataDir);
    expect(revoked.stdout).toMatch(new RegExp(`^${keyId}\\t\\S+\\t\\S+Z\\t\\S+Z\\t-\\tci job\\n$`));
    const refused = await convert(stack, key);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    // The development key is untouched.
    expect((await convert(stack, stack.apiKey)).status).toBe(200);

    // An instant a little ahead: the key works, then stops when the instant passes.
    const expiresAt = new Date(Date.now() + 15_000);
    const shortLived = (
      await cli(
        'create',
        '--name',
        'short',
        '--expires',
        expiresAt.toISOString(),
        '-d',
        stack.dataDir,
      )
    ).stdout.trim();
    expect((await convert(stack, shortLived)).status).toBe(200);
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt.getTime() - Date.now()) + 200));
    expect((await convert(stack, shortLived)).status).toBe(401);

    const { stdout: list } = await cli('list', '-d', stack.dataDir);
    const rows = list.trim().split('\n');
    expect(rows[0]).toBe('ID\tCREATED\tEXPIRES\tREVOKED\tLIMITS\tNAME');
    expect(rows.find((r) => r.endsWith('\tci job'))?.split('\t')[3]).toMatch(/Z$/);
    expect(rows.find((r) => r.endsWith('\tshort'))?.split('\t')[2]).toBe(expiresAt.toISOString());
    expect(
      rows
        .find((r) => r.endsWith('\tdevelopment'))
        ?.split('\t')
        .slice(2, 4),
    ).toEqual(['-', '-']);
    expect(list).not.toContain(key);
  });
});

describe('cutout keys errors', () => {
  it('names the flag or id that is wrong, and stores nothing', { timeout: 60_000 }, async () => {
    const stack = stacks[0] ?? (await stackOn('streaming'));
    const before = (await cli('list', '-d', stack.dataDir)).stdout;
    await expect(
      cli('create', '--name', 'x', '--expires', 'yesterday', '-d', stack.dataDir),
    ).rejects.toMatchObject({
      stderr: expect.stringMatching(/expires: "yesterday" is not a date/),
    });
    await expect(
      cli('create', '--name', 'x', '--rate', '0', '-d', stack.dataDir),
    ).rejects.toMatchObject({
      stderr: expect.stringMatching(/rate: "0" must be a whole number from 1/),
    });
    await expect(cli('revoke', 'key_0123456789abcdef', '-d', stack.dataDir)).rejects.toMatchObject({
      stderr: expect.stringMatching(/id: no key has the id key_0123456789abcdef/),
    });
    expect((await cli('list', '-d', stack.dataDir)).stdout).toBe(before);
  });
});
