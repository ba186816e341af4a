import type { Context, S3Event } from 'aws-lambda';
import type { ProxyHandler, RequestAuthorizer } from './api-server.ts';
import type { DeadLetterHandler } from './dead-letter-relay.ts';

/**
 * The deployed Lambda handler modules, imported only after the local stack has put the emulators'
 * endpoints and resource names into the environment (each module reads it once when loaded).
 */

export type UploadHandler = (event: S3Event, context: Context) => Promise<unknown>;

export interface LambdaHandlers {
  readonly convert: ProxyHandler;
  readonly results: ProxyHandler;
  readonly files: ProxyHandler;
  readonly authorizer: RequestAuthorizer;
  readonly onUpload: UploadHandler;
  readonly onDeadLetter: DeadLetterHandler;
}

export async function loadLambdaHandlers(): Promise<LambdaHandlers> {
  const [convert, results, files, authorizer, onUpload, onDeadLetter] = await Promise.all([
    import('../functions/convert/handler.ts'),
    import('../functions/results/handler.ts'),
    import('../functions/files/handler.ts'),
    import('../functions/authorizer/handler.ts'),
    import('../functions/on-upload/handler.ts'),
    import('../functions/on-dead-letter/handler.ts'),
  ]);
  return {
    convert: convert.handler,
    results: results.handler,
    files: files.handler,
    authorizer: authorizer.handler,
    onUpload: onUpload.handler,
    onDeadLetter: onDeadLetter.handler,
  };
}
