import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type EmfRecord, fileFailedRecord } from '../../../adapters/observability/metrics.ts';
import { CutoutError } from '../../../core/errors.ts';
import { eventHandler, httpHandler } from '../../../functions/shared/middleware.ts';
import { lambdaContext } from '../../support/emulators-events.ts';
import { recordingLog } from '../../support/recording-log.ts';
import { jsonLinesWrittenBy } from '../../support/stdout-lines.ts';

describe('the Lambda middleware', () => {
  it('drops lines below the level it is given', async () => {
    const handler = eventHandler({ service: 'quiet', level: 'warn' }, async (_e, _c, log) => {
      log.info('not written');
      log.warn('written');
    });
    // The default log writes to stdout.
    const lines = await jsonLinesWrittenBy(() => handler({}, lambdaContext()));
    expect(lines.map((line) => [line.service, line.msg])).toEqual([['quiet', 'written']]);
  });

  it('hands the inner function a log carrying the request id and the metrics writer', async () => {
    const { log, lines } = recordingLog();
    const records: EmfRecord[] = [];
    const handler = eventHandler<{ n: number }, number>(
      { service: 'test-fn', log, metrics: (r) => records.push(r) },
      async (event, _context, inner, metrics) => {
        inner.info('handled', { n: event.n });
        metrics(fileFailedRecord({ kind: 'video', failedBy: 'dead-letter', timestampMs: 1 }));
        return event.n;
      },
    );
    const context = lambdaContext();
    await expect(handler({ n: 3 }, context)).resolves.toBe(3);
    expect(lines).toEqual([
      { level: 'info', msg: 'handled', fields: { requestId: context.awsRequestId, n: 3 } },
    ]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ FilesFailed: 1, Kind: 'video' });
  });

  it('logs an event failure as an error with its code, unless it is expected', async () => {
    const { log, lines } = recordingLog();
    const failing = eventHandler({ service: 'test-fn', log }, async () => {
      throw new CutoutError('INTERNAL', 'table gone');
    });
    await expect(failing({}, lambdaContext())).rejects.toThrow('table gone');
    expect(lines).toMatchObject([
      { level: 'error', msg: 'event failed', fields: { code: 'INTERNAL' } },
    ]);

    const answered = eventHandler(
      { service: 'test-fn', log },
      async () => {
        throw new Error('Unauthorized');
      },
      (e) => e instanceof Error && e.message === 'Unauthorized',
    );
    await expect(answered({}, lambdaContext())).rejects.toThrow('Unauthorized');
    expect(lines).toHaveLength(1);
  });

  it('answers an HTTP failure with its code and logs 5xx details at error', async () => {
    const { log, lines } = recordingLog();
    const handler = httpHandler({ service: 'test-http', log }, async () => {
      throw new CutoutError('INTERNAL', 'boom');
    });
    const response = await handler({ path: '/v1/x' } as APIGatewayProxyEvent, lambdaContext());
    expect(response.statusCode).toBe(500);
    expect(lines).toMatchObject([
      { level: 'error', msg: 'request failed', fields: { path: '/v1/x', code: 'INTERNAL' } },
    ]);
  });
});
