import type { Context, S3Event, ScheduledEvent } from 'aws-lambda';
import type { ReconcileReport } from '../core/jobs/reconcile-stranded.ts';
import type { ProxyHandler, RequestAuthorizer } from './api-server.ts';
import type { DeadLetterHandler } from './dead-letter-relay.ts';

/**
 * The deployed Lambda handler modules, imported only after the local stack has put the emulators'
 * endpoints and resource names into the environment (each module reads it once when loaded).
 */

export type UploadHandler = (event: S3Event, context: Context) => Promise<unknown>;
export type ReconcileHandler = (
  event: ScheduledEvent | undefined,
  context: Context,
) => Promise<ReconcileReport>;

export interface LambdaHandlers {
  readonly convert: ProxyHandler;
  readonly results: ProxyHandler;
  readonly files: ProxyHandler;
  readonly authorizer: RequestAuthorizer;
  readonly onUpload: UploadHandler;
  readonly onDeadLetter: DeadLetterHandler;
  readonly reconciler: ReconcileHandler;
}

export async function loadLambdaHandlers(): Promise<LambdaHandlers> {
  const [convert, results, files, authorizer, onUpload, onDeadLetter, reconciler] =
    await Promise.all([
      import('../functions/convert/handler.ts'),
      import('../functions/results/handler.ts'),
      import('../functions/files/handler.ts'),
      import('../functions/authorizer/handler.ts'),
      import('../functions/on-upload/handler.ts'),
      import('../functions/on-dead-letter/handler.ts'),
      import('../functions/reconciler/handler.ts'),
    ]);
  return {
    convert: convert.handler,
    results: results.handler,
    files: files.handler,
    authorizer: authorizer.handler,
    onUpload: onUpload.handler,
    onDeadLetter: onDeadLetter.handler,
    reconciler: reconciler.handler,
  };
}
