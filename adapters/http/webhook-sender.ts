import type { WebhookSender } from '../../core/webhooks/ports.ts';
import { WEBHOOK_DEFAULTS } from '../../core/webhooks/webhook-settings.ts';
import type { OutboundClient } from './outbound-client.ts';

/**
 * Webhook POSTs through the outbound guard: its address rules, one timeout for the whole
 * attempt, no redirects (a 3xx is refused there, so it fails the attempt like any non-2xx).
 * Only the status counts: the answer's body is dropped unread.
 */
export function webhookSender(client: OutboundClient, timeoutMs: number): WebhookSender {
  return async (post) => {
    const response = await client.send({
      url: post.url,
      method: 'POST',
      headers: { ...post.headers },
      body: post.body,
      timeoutMs,
      maxResponseBytes: WEBHOOK_DEFAULTS.maxResponseBytes,
    });
    response.body.destroy();
    return { status: response.status };
  };
}
