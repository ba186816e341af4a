import { describe, expect, it } from 'vitest';
import { CutoutError, ERROR_CODES } from '../../../core/errors.ts';
import { errorResponse, HTTP_STATUS } from '../../../functions/shared/http.ts';

describe('the error-code -> HTTP table', () => {
  it('maps every code, request errors to 4xx and our failures to 5xx', () => {
    expect(Object.keys(HTTP_STATUS).sort()).toEqual([...ERROR_CODES].sort());
    expect(HTTP_STATUS.INVALID_REQUEST).toBe(400);
    expect(HTTP_STATUS.UNAUTHORIZED).toBe(401);
    expect(HTTP_STATUS.INPUT_TOO_LARGE).toBe(413);
    expect(HTTP_STATUS.UNSUPPORTED_MEDIA).toBe(415);
    expect(HTTP_STATUS.JOB_NOT_FOUND).toBe(404);
    expect(HTTP_STATUS.JOB_CONFLICT).toBe(409);
    expect(HTTP_STATUS.UPSTREAM_THROTTLED).toBe(503);
    expect(HTTP_STATUS.INTERNAL).toBe(500);
  });

  it('shows 4xx messages as {"error"} naming the field', () => {
    const response = errorResponse(
      new CutoutError('INVALID_REQUEST', 'alpha_fg: must be 0-255'),
      'req-1',
    );
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'alpha_fg: must be 0-255' });
  });

  it('never leaks 5xx internals, gives the request id and logs the detail', () => {
    const logged: string[] = [];
    const response = errorResponse(new Error('password=hunter2 at db.ts:12'), 'req-9', (e) =>
      logged.push(e.message),
    );
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('hunter2');
    expect(JSON.parse(response.body).error).toContain('req-9');
    expect(logged[0]).toContain('hunter2');
  });

  it('asks for a retry on throttling without the AWS detail', () => {
    const response = errorResponse(
      new CutoutError('UPSTREAM_THROTTLED', 's3://bucket/key: SlowDown'),
      'r',
    );
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['Retry-After']).toBe('5');
    expect(response.body).not.toContain('bucket');
  });
});
