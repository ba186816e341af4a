import type { ApiErrorCode } from './api-types.ts';

/** An answer other than success: the API's `code` and message, or the storage's status. */
export class CutoutApiError extends Error {
  readonly status: number;
  /** The API's stable code; undefined for answers that are not the API's (S3, a proxy). */
  readonly code: ApiErrorCode | undefined;
  /** Present on 5xx answers: quote it when reporting a problem. */
  readonly requestId: string | undefined;

  constructor(message: string, status: number, code: ApiErrorCode | undefined, requestId?: string) {
    super(message);
    this.name = 'CutoutApiError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }
}

/** The error an unsuccessful answer carries, read from its `{error, code}` body when it has one. */
export async function errorFrom(response: Response, what: string): Promise<CutoutApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: unknown; code?: unknown; request_id?: unknown };
    if (typeof body.error === 'string') {
      return new CutoutApiError(
        body.error,
        response.status,
        typeof body.code === 'string' ? (body.code as ApiErrorCode) : undefined,
        typeof body.request_id === 'string' ? body.request_id : undefined,
      );
    }
  } catch {
    // Not JSON: S3 answers XML, proxies HTML.
  }
  const detail = text.trim().slice(0, 300);
  return new CutoutApiError(
    `${what}: HTTP ${response.status}${detail === '' ? '' : ` ${detail}`}`,
    response.status,
    undefined,
  );
}
