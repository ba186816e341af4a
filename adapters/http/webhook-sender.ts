import type { WebhookSender } from '../../core/webhooks/ports.ts';
import type { OutboundClient } from './outbound-client.ts';

/**
 * Webhook POSTs through the outbound guard: its address rules, one timeout for the whole
 * attempt, no redirects (a 3xx is never followed; it comes back as its status and fails the
 * attempt like any non-2xx, retried, as a receiver behind a load balancer may answer one for a
 * while). Only the status counts: the answer's body is dropped unread.
 */
export function webhookSender(client: OutboundClient, timeoutMs: number): WebhookSender {
  return async (post) => {
    const response = await client.send({
      url: post.url,
      method: 'POST',
      headers: { ...post.headers },
      body: post.body,
      timeoutMs,
      // The body is never read, so its size is no reason to fail: a receiver answering 200
      // with a large page (a declared length over any cap) has still taken the event.
      maxResponseBytes: Number.POSITIVE_INFINITY,
      returnRedirects: true,
    });
    response.body.destroy();
    return { status: response.status };
  };
}
