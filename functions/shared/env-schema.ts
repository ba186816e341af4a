import { z } from 'zod';
import { booleanFlag, parseConfig } from '../../core/config/contract.ts';
import {
  DEFAULT_INLINE_LIMIT_BYTES,
  MAX_INLINE_LIMIT_BYTES,
} from '../../core/config/inline-limit.ts';
import { DEFAULT_JOB_TTL_DAYS, ENV } from '../../core/config/resources.ts';

/** Pieces of the functions' environment schemas; each env.ts picks what it needs. */

const name = z.string().min(1);
// zod's z.url() refuses hosts like `sqs.us-east-1.localhost:PORT` that emulators hand out.
const httpUrl = z.string().regex(/^https?:\/\/[^\s/]+/, 'must be an http(s) URL');
const optionalUrl = httpUrl.optional();

export const awsEnvShape = {
  AWS_REGION: z
    .string()
    .min(1)
    .default('us-east-1')
    .describe('AWS region of the clients (Lambda and ECS set it).'),
  // Set only by the local stack and tests, to point the clients at the emulators.
  AWS_ENDPOINT_URL: optionalUrl.describe('Endpoint for every AWS client (emulators only).'),
  AWS_ENDPOINT_URL_S3: optionalUrl.describe('S3 endpoint (emulators only).'),
  AWS_ENDPOINT_URL_SQS: optionalUrl.describe('SQS endpoint (emulators only).'),
  AWS_ENDPOINT_URL_DYNAMODB: optionalUrl.describe('DynamoDB endpoint (emulators only).'),
};

export const jobsTableShape = {
  [ENV.jobsTable]: name.describe('DynamoDB table of jobs and their files.'),
} as const;
export const keysTableShape = {
  [ENV.keysTable]: name.describe('DynamoDB table of API keys (hashes only).'),
} as const;
/**
 * Functions behind the authorizer get the key id from its context and, on AWS, no keys table.
 * The local stack and tests name the table so a direct call can still check the header.
 */
export const optionalKeysTableShape = {
  [ENV.keysTable]: name
    .optional()
    .describe('API keys table; unset behind the authorizer (the local stack sets it).'),
} as const;
export const inputBucketShape = {
  [ENV.inputBucket]: name.describe('S3 bucket of uploaded and inline inputs.'),
} as const;
export const outputBucketShape = {
  [ENV.outputBucket]: name.describe('S3 bucket of results.'),
} as const;
export const queuesShape = {
  [ENV.imageQueueUrl]: httpUrl.describe('SQS queue of image files.'),
  [ENV.videoQueueUrl]: httpUrl.describe('SQS queue of video files.'),
} as const;
export const ttlShape = {
  [ENV.jobTtlDays]: z.coerce
    .number()
    .int()
    .positive()
    .default(DEFAULT_JOB_TTL_DAYS)
    .describe('Days a job, its inputs and results are kept.'),
} as const;
export const inlineLimitShape = {
  [ENV.inlineLimitBytes]: z.coerce
    .number()
    .int()
    .positive()
    .max(MAX_INLINE_LIMIT_BYTES, {
      message: `at most ${MAX_INLINE_LIMIT_BYTES}: a larger body does not fit Lambda's 6 MB event`,
    })
    .default(DEFAULT_INLINE_LIMIT_BYTES)
    .describe('Largest request body converted inline; larger files go through an upload URL.'),
} as const;

/**
 * The models the deployed workers have (comma-separated manifest ids); convert refuses the
 * others. Unset: every manifest model (the local stack's workers fetch any of them).
 */
export const AVAILABLE_MODELS_ENV = 'CUTOUT_AVAILABLE_MODELS';
export const availableModelsShape = {
  [AVAILABLE_MODELS_ENV]: z
    .string()
    .optional()
    .describe('Comma-separated models the workers have; unset: every manifest model.'),
} as const;

/**
 * `true`: /v1/convert refuses models whose weights are not permissively licensed
 * (core/models/licence.ts PERMISSIVE_LICENCES), naming the model and its licence.
 */
export const COMMERCIAL_SAFE_ONLY_ENV = 'CUTOUT_COMMERCIAL_SAFE_ONLY';
export const commercialSafeOnlyShape = {
  [COMMERCIAL_SAFE_ONLY_ENV]: booleanFlag(false).describe(
    'Refuse models whose licence is not permissive (MIT, Apache-2.0, BSD, ISC, ...) at /v1/convert.',
  ),
} as const;

/** `true`: /v1/results and /v1/files answer only the key that created the job. */
export const BIND_RESULTS_ENV = 'CUTOUT_BIND_RESULTS_TO_KEY';
export const bindResultsShape = {
  [BIND_RESULTS_ENV]: booleanFlag(false).describe(
    'Results and files answer only the key that created the job.',
  ),
} as const;

/** Lambda's response ceiling is 6 MB and base64 adds a third: results above this redirect. */
export const RESPONSE_LIMIT_ENV = 'RESPONSE_LIMIT_BYTES';
export const responseLimitShape = {
  [RESPONSE_LIMIT_ENV]: z.coerce
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024)
    .describe('Largest result returned in the response body; larger ones redirect to S3.'),
} as const;

/** Parses `source` or fails the cold start with every missing or bad variable named. */
export function parseEnv<S extends z.ZodRawShape>(
  shape: S,
  source: Record<string, string | undefined>,
) {
  return parseConfig(shape, source);
}

const awsEnvSchema = z.object(awsEnvShape);
export type AwsEnv = Readonly<z.infer<typeof awsEnvSchema>>;

/** The client config the adapters take, from the AWS part of an environment. */
export function clientConfig(env: AwsEnv) {
  const s3 = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const sqs = env.AWS_ENDPOINT_URL_SQS ?? env.AWS_ENDPOINT_URL;
  const dynamodb = env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL;
  return {
    region: env.AWS_REGION,
    endpoints: {
      ...(s3 ? { s3 } : {}),
      ...(sqs ? { sqs } : {}),
      ...(dynamodb ? { dynamodb } : {}),
    },
  };
}
