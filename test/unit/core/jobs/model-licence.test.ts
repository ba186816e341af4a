import { describe, expect, it } from 'vitest';
import { CutoutError } from '../../../../core/errors.ts';
import { createJob } from '../../../../core/jobs/create-job.ts';
import { getResults } from '../../../../core/jobs/get-results.ts';
import { claimUpdate, completeUpdate } from '../../../../core/jobs/transitions.ts';
import { MODEL_MANIFEST } from '../../../../core/models/bundled-manifest.ts';
import { nonPermissiveModels } from '../../../../core/models/licence.ts';
import {
  FakeClock,
  MemoryJobQueue,
  MemoryJobRepository,
  MemoryObjectStore,
} from './memory-ports.ts';

const JOB_ID = '11111111-2222-4333-8444-666666666666';
const png = (filename: string) => ({
  field: 'files',
  filename,
  contentType: 'image/png',
  data: new Uint8Array([1]),
});

describe('model licences in jobs', () => {
  it('reports the licence of the model that ran next to its id, per file', async () => {
    const repo = new MemoryJobRepository();
    const outputs = new MemoryObjectStore('outputs');
    const clock = new FakeClock();
    await createJob(
      {
        apiKeyId: 'k',
        fields: { convert_to: 'image-backgroundremover' },
        files: [png('a.png'), png('b.png'), png('c.png')],
      },
      {
        repo,
        inputs: new MemoryObjectStore('inputs'),
        queue: new MemoryJobQueue(),
        clock,
        newId: () => JOB_ID,
      },
    );
    // What workers record: the model that really ran (after aliasing), or a custom file's path.
    for (const [fileId, modelId] of [
      ['0000', 'birefnet-portrait'],
      ['0001', 'isnet-imgly'],
      ['0002', '/models/custom.onnx'],
    ] as const) {
      const claim = claimUpdate({ jobId: JOB_ID, fileId }, clock.now(), 1000, 't');
      await repo.updateFile(claim);
      await repo.updateFile(
        completeUpdate(
          claim,
          't',
          { modelId, warnings: [], outputContentType: 'image/png', outputSize: 1 },
          clock.now(),
        ),
      );
    }
    const results = await getResults(JOB_ID, { repo, outputs, clock });
    expect(results.files.map((f) => [f.filename, f.model, f.licence])).toEqual([
      ['a.png', 'birefnet-portrait', 'MIT'],
      ['b.png', 'isnet-imgly', 'AGPL-3.0'],
      ['c.png', '/models/custom.onnx', undefined],
    ]);
    expect(results.files[2]).not.toHaveProperty('licence');
  });

  it('refuses a non-permissive model before storing anything when told to', async () => {
    const repo = new MemoryJobRepository();
    const inputs = new MemoryObjectStore('inputs');
    const queue = new MemoryJobQueue();
    const deps = {
      repo,
      inputs,
      queue,
      refusedModels: nonPermissiveModels(MODEL_MANIFEST, new Map()),
    };
    const request = (model: string) => ({
      apiKeyId: 'k',
      fields: { convert_to: 'image-backgroundremover', model },
      files: [png('a.png')],
    });
    const refused = await createJob(request('isnet-imgly-quint8'), deps).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CutoutError);
    expect((refused as CutoutError).field).toBe('model');
    expect((refused as CutoutError).message).toMatch(/isnet-imgly-quint8.*AGPL-3\.0/);
    expect([...inputs.objects.keys()]).toEqual([]);
    expect(await createJob(request('birefnet-general'), deps)).toHaveProperty('uuid');
  });
});
