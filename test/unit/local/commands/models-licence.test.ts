import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MODEL_MANIFEST } from '../../../../core/models/bundled-manifest.ts';
import { modelsCommand } from '../../../../local/commands/models.ts';

let dir: string;
let out: string[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutout-cli-models-licence-'));
  out = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('cutout models list', () => {
  it('shows each model with its licence, marking the ones commercialSafeOnly refuses', async () => {
    await modelsCommand(MODEL_MANIFEST, { CUTOUT_MODEL_DIR: dir }).parseAsync(['list'], {
      from: 'user',
    });
    const rows = new Map(
      out
        .join('')
        .split('\n')
        .map((line) => line.split(/\s{2,}/))
        .map(([id, size, licence]) => [id, `${size} ${licence}`]),
    );
    expect(rows.get('birefnet-general')).toBe('1024x1024 MIT');
    expect(rows.get('birefnet-general-lite')).toBe('1024x1024 MIT');
    expect(rows.get('birefnet-portrait')).toBe('1024x1024 MIT');
    expect(rows.get('ben2-base')).toBe('1024x1024 MIT');
    expect(rows.get('u2net (default)')).toBe('320x320 Apache-2.0');
    expect(rows.get('isnet-imgly')).toBe('1024x1024 AGPL-3.0 (not permissive)');
  });
});
