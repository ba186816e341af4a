import { describe, expect, it } from 'vitest';
import {
  type EmfRecord,
  fileFailedRecord,
  fileMetricsRecord,
  reconcilerRecord,
  stdoutMetrics,
} from '../../../../adapters/observability/metrics.ts';

const CREATED = '2026-03-01T10:00:00.000Z';
const CLAIMED = Date.parse('2026-03-01T10:00:05.000Z');
const FINISHED = Date.parse('2026-03-01T10:00:07.250Z');

describe('fileMetricsRecord (CloudWatch Embedded Metric Format)', () => {
  it('writes a done file as one success with both durations, by kind and by kind and model', () => {
    const record = fileMetricsRecord({
      kind: 'image',
      outcome: {
        outcome: 'done',
        outputKey: 'jobs/j/cat.png',
        modelId: 'isnet-imgly-quint8',
        createdAt: CREATED,
      },
      startedMs: CLAIMED,
      finishedMs: FINISHED,
    });
    expect(record).toEqual({
      _aws: {
        Timestamp: FINISHED,
        CloudWatchMetrics: [
          {
            Namespace: 'Cutout',
            Dimensions: [['Kind'], ['Kind', 'Model']],
            Metrics: [
              { Name: 'FilesSucceeded', Unit: 'Count' },
              { Name: 'FilesFailed', Unit: 'Count' },
              { Name: 'ProcessingDuration', Unit: 'Milliseconds' },
              { Name: 'EndToEndDuration', Unit: 'Milliseconds' },
            ],
          },
        ],
      },
      Kind: 'image',
      Model: 'isnet-imgly-quint8',
      FilesSucceeded: 1,
      FilesFailed: 0,
      ProcessingDuration: 2250,
      EndToEndDuration: 7250,
    });
  });

  it('writes a failed file as one failure under the model the job asked for', () => {
    const record = fileMetricsRecord({
      kind: 'video',
      outcome: {
        outcome: 'failed',
        code: 'DECODE_FAILED',
        error: 'clip.mp4: not a video',
        modelId: 'isnet-imgly',
        createdAt: CREATED,
      },
      startedMs: CLAIMED,
      finishedMs: FINISHED,
    });
    expect(record).toEqual({
      _aws: {
        Timestamp: FINISHED,
        CloudWatchMetrics: [
          {
            Namespace: 'Cutout',
            Dimensions: [['Kind'], ['Kind', 'Model']],
            Metrics: [
              { Name: 'FilesSucceeded', Unit: 'Count' },
              { Name: 'FilesFailed', Unit: 'Count' },
              { Name: 'ProcessingDuration', Unit: 'Milliseconds' },
              { Name: 'EndToEndDuration', Unit: 'Milliseconds' },
            ],
          },
        ],
      },
      Kind: 'video',
      Model: 'isnet-imgly',
      FilesSucceeded: 0,
      FilesFailed: 1,
      ProcessingDuration: 2250,
      EndToEndDuration: 7250,
    });
  });

  it('leaves out end-to-end time without a creation time, and the model set without a model', () => {
    const record = fileMetricsRecord({
      kind: 'image',
      outcome: { outcome: 'failed', code: 'INPUT_NOT_FOUND', error: 'a.png: gone' },
      startedMs: CLAIMED,
      finishedMs: FINISHED,
    });
    expect(record).toEqual({
      _aws: {
        Timestamp: FINISHED,
        CloudWatchMetrics: [
          {
            Namespace: 'Cutout',
            Dimensions: [['Kind']],
            Metrics: [
              { Name: 'FilesSucceeded', Unit: 'Count' },
              { Name: 'FilesFailed', Unit: 'Count' },
              { Name: 'ProcessingDuration', Unit: 'Milliseconds' },
            ],
          },
        ],
      },
      Kind: 'image',
      FilesSucceeded: 0,
      FilesFailed: 1,
      ProcessingDuration: 2250,
    });
  });

  it('every dimension a directive names is a top-level key, and every metric has a value', () => {
    const record = fileMetricsRecord({
      kind: 'video',
      outcome: { outcome: 'done', outputKey: 'k', modelId: 'u2net', createdAt: 'not a date' },
      startedMs: CLAIMED,
      finishedMs: FINISHED,
    });
    const [directive] = record._aws.CloudWatchMetrics;
    for (const key of directive?.Dimensions.flat() ?? []) expect(record[key]).toBeTypeOf('string');
    for (const metric of directive?.Metrics ?? []) expect(record[metric.Name]).toBeTypeOf('number');
    expect(record).not.toHaveProperty('EndToEndDuration');
  });
});

describe('stdoutMetrics', () => {
  it('writes each record as one JSON line that parses back to the record', () => {
    const lines: string[] = [];
    const write = stdoutMetrics((line) => lines.push(line));
    const record: EmfRecord = fileMetricsRecord({
      kind: 'image',
      outcome: { outcome: 'done', outputKey: 'k', modelId: 'tiny' },
      startedMs: CLAIMED,
      finishedMs: FINISHED,
    });
    write(record);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(JSON.parse(lines[0] ?? '')).toEqual(record);
  });
});

describe('fileFailedRecord (files failed outside the worker)', () => {
  it('counts one FilesFailed per kind, with where it failed as a property, not a dimension', () => {
    expect(
      fileFailedRecord({ kind: 'video', failedBy: 'dead-letter', timestampMs: FINISHED }),
    ).toEqual({
      _aws: {
        Timestamp: FINISHED,
        CloudWatchMetrics: [
          {
            Namespace: 'Cutout',
            Dimensions: [['Kind']],
            Metrics: [{ Name: 'FilesFailed', Unit: 'Count' }],
          },
        ],
      },
      Kind: 'video',
      failedBy: 'dead-letter',
      FilesFailed: 1,
    });
  });

  it('adds the per-model set when the model is known', () => {
    const record = fileFailedRecord({
      kind: 'image',
      failedBy: 'upload-event',
      timestampMs: FINISHED,
      modelId: 'u2net',
    });
    expect(record._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['Kind'], ['Kind', 'Model']]);
    expect(record).toMatchObject({ Kind: 'image', Model: 'u2net', FilesFailed: 1 });
  });
});

describe('reconcilerRecord', () => {
  it('counts what one run changed, without dimensions', () => {
    expect(reconcilerRecord({ uploadsQueued: 2, requeued: 1, abandoned: 0 }, FINISHED)).toEqual({
      _aws: {
        Timestamp: FINISHED,
        CloudWatchMetrics: [
          {
            Namespace: 'Cutout',
            Dimensions: [[]],
            Metrics: [
              { Name: 'ReconcilerUploadsQueued', Unit: 'Count' },
              { Name: 'ReconcilerRequeued', Unit: 'Count' },
              { Name: 'ReconcilerAbandoned', Unit: 'Count' },
            ],
          },
        ],
      },
      ReconcilerUploadsQueued: 2,
      ReconcilerRequeued: 1,
      ReconcilerAbandoned: 0,
    });
  });
});
