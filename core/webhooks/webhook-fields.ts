import { invalidField } from '../errors.ts';
import type { OutboundUrlRules } from '../outbound/outbound-url.ts';
import { bad, field, ok, type Parsed, parseShape } from '../params/field-schemas.ts';
import { WEBHOOK_EVENT_TYPES, type WebhookConfig, type WebhookEventType } from './webhook-model.ts';

/**
 * The convert request's webhook fields. The address is checked for form and scheme here (https
 * on AWS, as for image_url); whether its host may be called (no private or metadata address
 * after DNS) is the outbound guard's decision at delivery, where the answer can change, and a
 * refusal shows in `/v1/results` `webhook.last_error`.
 */

export const MAX_WEBHOOK_URL_LENGTH = 2048;

function parseWebhookUrl(value: unknown): Parsed<string> {
  const text = String(value).trim();
  if (text.length > MAX_WEBHOOK_URL_LENGTH) {
    return bad(`must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
  }
  if (!URL.canParse(text))
    return bad(`must be an absolute http(s) URL, got '${text.slice(0, 100)}'`);
  const url = new URL(text);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return bad(`must use https (or http where the deployment allows it), got '${url.protocol}'`);
  }
  if (url.username !== '' || url.password !== '') {
    return bad('must not carry credentials (user:password@); verify the signature instead');
  }
  return ok(url.toString());
}

const EVENT_ALIASES: Readonly<Record<string, WebhookEventType>> = {
  job: 'job.finished',
  file: 'file.finished',
};

function parseWebhookEvents(value: unknown): Parsed<readonly WebhookEventType[]> {
  const words = (Array.isArray(value) ? value.map(String) : String(value).split(','))
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);
  const events = new Set<WebhookEventType>();
  for (const word of words) {
    const event = (WEBHOOK_EVENT_TYPES as readonly string[]).includes(word)
      ? (word as WebhookEventType)
      : EVENT_ALIASES[word];
    if (!event) {
      return bad(
        `must list ${WEBHOOK_EVENT_TYPES.join(' and/or ')}, comma-separated; got '${word}'`,
      );
    }
    events.add(event);
  }
  if (events.size === 0) return bad('must name at least one event');
  return ok(WEBHOOK_EVENT_TYPES.filter((e) => events.has(e)));
}

export const webhookShape = {
  webhook_url: field(
    undefined,
    {
      type: 'string',
      description:
        "Called (POST, JSON, signed with your key's signing secret: docs/webhooks.md) when the job finishes; https only on AWS",
      examples: ['https://example.com/hooks/cutout'],
    },
    parseWebhookUrl,
  ),
  webhook_events: field(
    ['job.finished'] as readonly WebhookEventType[],
    {
      type: 'string',
      default: 'job.finished',
      description:
        'Comma-separated events for webhook_url: job.finished (every file done or failed) and/or file.finished (each file as it ends); also job, file',
      examples: ['job.finished,file.finished'],
    },
    parseWebhookEvents,
  ),
};

/**
 * The request's webhook, if it asked for one.
 * @throws CutoutError INVALID_REQUEST naming webhook_url or webhook_events
 */
export function parseWebhookRequest(
  fields: Readonly<Record<string, unknown>>,
  rules: OutboundUrlRules = { allowHttp: false },
): WebhookConfig | undefined {
  const result = parseShape(webhookShape, fields);
  if (!result.ok) throw invalidField(result.field, result.problem);
  const { webhook_url: url, webhook_events: events } = result.value;
  // Refused now rather than at delivery: unlike an address, the scheme cannot change by then.
  if (url?.startsWith('http:') && !rules.allowHttp) {
    throw invalidField('webhook_url', 'uses http; only https URLs are allowed here');
  }
  if (url === undefined) {
    const raw = fields.webhook_events;
    if (raw !== undefined && raw !== null && String(raw).trim() !== '') {
      throw invalidField('webhook_events', 'needs webhook_url');
    }
    return undefined;
  }
  return { url, events: [...events] };
}
