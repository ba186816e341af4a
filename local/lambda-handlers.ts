import type { Context, S3Event, ScheduledEvent } from 'aws-lambda';
import type { ProxyHandler } from '../adapters/http/proxy-event.ts';
import type { MarkUploadedOutcome } from '../core/jobs/mark-uploaded.ts';
import { createAuthorizerHandler } from '../functions/authorizer/create-handler.ts';
import { parseAuthorizerEnv } from '../functions/authorizer/env.ts';
import { createConvertHandler } from '../functions/convert/create-handler.ts';
import { parseConvertEnv } from '../functions/convert/env.ts';
import { createDeliverWebhookHandler } from '../functions/deliver-webhook/create-handler.ts';
import { parseDeliverWebhookEnv } from '../functions/deliver-webhook/env.ts';
import { createFilesHandler } from '../functions/files/create-handler.ts';
import { parseFilesEnv } from '../functions/files/env.ts';
import { createDeadLetterHandler } from '../functions/on-dead-letter/create-handler.ts';
import { parseDeadLetterEnv } from '../functions/on-dead-letter/env.ts';
import { createUploadHandler } from '../functions/on-upload/create-handler.ts';
import { parseUploadEnv } from '../functions/on-upload/env.ts';
import {
  createReconcilerHandler,
  type ReconcileRun,
} from '../functions/reconciler/create-handler.ts';
import { parseReconcilerEnv } from '../functions/reconciler/env.ts';
import { createResultsHandler } from '../functions/results/create-handler.ts';
import { parseResultsEnv } from '../functions/results/env.ts';
import type { HandlerDeps } from '../functions/shared/handler-deps.ts';
import type { RequestAuthorizer } from './api-server.ts';
import type { SqsLambdaHandler } from './sqs-event-relay.ts';

/**
 * The deployed Lambda handlers, built through the same factories and schemas as on AWS. Each
 * function's configuration is parsed from `settings` (what its Lambda environment would hold),
 * so a bad local setting fails as it would at a cold start; nothing is read from `process.env`.
 */

export type UploadHandler = (event: S3Event, context: Context) => Promise<MarkUploadedOutcome[]>;
export type ReconcileHandler = (
  event: ScheduledEvent | undefined,
  context: Context,
) => Promise<ReconcileRun>;

export interface LambdaHandlers {
  readonly convert: ProxyHandler;
  readonly results: ProxyHandler;
  readonly files: ProxyHandler;
  readonly authorizer: RequestAuthorizer;
  readonly onUpload: UploadHandler;
  readonly onDeadLetter: SqsLambdaHandler;
  readonly reconciler: ReconcileHandler;
  readonly deliverWebhook: SqsLambdaHandler;
}

export function createLambdaHandlers(
  settings: Readonly<Record<string, string | undefined>>,
  deps: Partial<HandlerDeps>,
): LambdaHandlers {
  // Each function logs under its own name, as its log group would separate them on AWS.
  const as = (name: string): Partial<HandlerDeps> =>
    deps.log ? { ...deps, log: deps.log.with({ function: name }) } : deps;
  return {
    convert: createConvertHandler(parseConvertEnv(settings), as('convert')),
    results: createResultsHandler(parseResultsEnv(settings), as('results')),
    files: createFilesHandler(parseFilesEnv(settings), as('files')),
    authorizer: createAuthorizerHandler(parseAuthorizerEnv(settings), as('authorizer')),
    onUpload: createUploadHandler(parseUploadEnv(settings), as('on-upload')),
    onDeadLetter: createDeadLetterHandler(parseDeadLetterEnv(settings), as('on-dead-letter')),
    reconciler: createReconcilerHandler(parseReconcilerEnv(settings), as('reconciler')),
    deliverWebhook: createDeliverWebhookHandler(
      parseDeliverWebhookEnv(settings),
      as('deliver-webhook'),
    ),
  };
}
