import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scratch } from '../../core/jobs/ports.ts';

/** Per-file working folders for video on the worker's local disk, removed after each file. */
export function createScratch(root: string = join(tmpdir(), 'cutout-worker')): Scratch {
  return {
    async makeDir(label) {
      await mkdir(root, { recursive: true });
      // The label is ids only (job uuid and file id), but keep it to one safe path segment.
      return mkdtemp(join(root, `${label.replace(/[^\w-]/g, '_')}-`));
    },
    async remove(dir) {
      await rm(dir, { recursive: true, force: true });
    },
  };
}
