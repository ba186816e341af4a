/**
 * How many bytes of files one `/v1/convert` request may carry inline on AWS, worked out from
 * the limit that actually binds. API Gateway accepts 10 MB bodies, but a REST proxy
 * integration hands the body to Lambda base64-encoded inside a JSON event, and a synchronous
 * Lambda invocation takes at most 6,291,456 bytes of event. A body that does not fit never
 * reaches cutout's code: API Gateway answers its own 413 ("Request Too Long").
 *
 *   event     6,291,456  Lambda's synchronous request limit (6 MiB)
 *   - fields     65,536  the rest of the event: headers and multiValueHeaders (each up to
 *                        API Gateway's 10 KiB of request line and headers), requestContext,
 *                        path and query parameters, JSON quoting; about 45 KB at worst
 *   = base64  6,225,920
 *   x 3/4     4,669,440  the raw body that encodes to that (base64 turns 3 bytes into 4)
 *   - multipart 65,536  boundaries, part headers and the text fields (convert_to, params...)
 *   = files   4,603,904  bytes of files (4.39 MiB) one request may carry inline
 */

/** Lambda's synchronous invocation payload limit, in bytes. */
export const LAMBDA_REQUEST_LIMIT_BYTES = 6_291_456;

/** What the proxy event holds besides the base64 body (generous: ~45 KB is the worst seen). */
export const PROXY_EVENT_ALLOWANCE_BYTES = 64 * 1024;

/** What a multipart body holds besides the files: boundaries, part headers, form fields. */
export const MULTIPART_ALLOWANCE_BYTES = 64 * 1024;

/** The largest raw request body whose base64 form still fits the Lambda event: 4,669,440. */
export const MAX_INLINE_BODY_BYTES = Math.floor(
  ((LAMBDA_REQUEST_LIMIT_BYTES - PROXY_EVENT_ALLOWANCE_BYTES) * 3) / 4,
);

/** The largest inline limit a deployment may configure: 4,603,904 bytes (4.39 MiB). */
export const MAX_INLINE_LIMIT_BYTES = MAX_INLINE_BODY_BYTES - MULTIPART_ALLOWANCE_BYTES;

/** The default is the most AWS can carry: the local stack and AWS then agree. */
export const DEFAULT_INLINE_LIMIT_BYTES = MAX_INLINE_LIMIT_BYTES;

/** The request body allowed for an inline limit: the files plus the multipart allowance. */
export function inlineBodyLimit(inlineLimitBytes: number): number {
  return inlineLimitBytes + MULTIPART_ALLOWANCE_BYTES;
}

/** `4.39 MiB (4603904 bytes)`: how limits are stated to clients. */
export function describeBytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB (${bytes} bytes)`;
}
