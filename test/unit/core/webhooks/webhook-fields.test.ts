import { describe, expect, it } from 'vitest';
import { parseWebhookRequest } from '../../../../core/webhooks/webhook-fields.ts';

function problem(fields: Record<string, unknown>): { field?: string; message: string } {
  try {
    parseWebhookRequest(fields);
  } catch (error) {
    const e = error as { field?: string; message: string; code?: string };
    expect(e.code).toBe('INVALID_REQUEST');
    return { ...(e.field ? { field: e.field } : {}), message: e.message };
  }
  throw new Error('expected a refusal');
}

describe('webhook_url and webhook_events', () => {
  it('absent: no webhook; present: the URL and job.finished by default', () => {
    expect(parseWebhookRequest({ convert_to: 'x' })).toBeUndefined();
    expect(parseWebhookRequest({ webhook_url: '' })).toBeUndefined();
    expect(parseWebhookRequest({ webhook_url: ' https://example.com/hook?t=1 ' })).toEqual({
      url: 'https://example.com/hook?t=1',
      events: ['job.finished'],
    });
  });

  it('takes events comma-separated, as a list, or by their short names', () => {
    const url = 'https://example.com/h';
    expect(parseWebhookRequest({ webhook_url: url, webhook_events: 'file,job' })?.events).toEqual([
      'job.finished',
      'file.finished',
    ]);
    expect(
      parseWebhookRequest({ webhook_url: url, webhook_events: ['file.finished'] })?.events,
    ).toEqual(['file.finished']);
  });

  it('refuses http unless the deployment allows it (the local stack), as for image_url', () => {
    const url = 'http://example.com/hook';
    expect(problem({ webhook_url: url })).toEqual({
      field: 'webhook_url',
      message: 'webhook_url: uses http; only https URLs are allowed here',
    });
    expect(parseWebhookRequest({ webhook_url: url }, { allowHttp: true })?.url).toBe(url);
  });

  it('refuses bad values naming the field', () => {
    expect(problem({ webhook_url: 'not a url' }).field).toBe('webhook_url');
    expect(problem({ webhook_url: 'ftp://example.com/x' }).message).toMatch(/webhook_url.*https/);
    expect(problem({ webhook_url: 'https://user:pw@example.com/' }).field).toBe('webhook_url');
    expect(problem({ webhook_url: `https://example.com/${'a'.repeat(2100)}` }).field).toBe(
      'webhook_url',
    );
    expect(
      problem({ webhook_url: 'https://example.com/', webhook_events: 'job,paid' }).message,
    ).toMatch(/webhook_events.*'paid'/);
    expect(problem({ webhook_events: 'job' })).toEqual({
      field: 'webhook_events',
      message: 'webhook_events: needs webhook_url',
    });
  });
});
