/**
 * The streaming front door's socket timeouts, all derived from its idle timeout so the load
 * balancer in front agrees with them:
 * - a request silent for `idle` is cut by the service, which answers 408 before the load
 *   balancer's own idle timeout (longer) closes the connection on it;
 * - the service keeps idle connections open longer than the load balancer does, so the load
 *   balancer always closes first and never sends a request down a connection the service has
 *   just closed (a 502), as the Elastic Load Balancing guide recommends;
 * - headers must arrive within a bound longer than keep-alive (Node's own advice); a request
 *   as a whole has no bound, since a large upload over a slow link takes as long as it takes.
 */
export interface IngestTimeouts {
  readonly idleMs: number;
  /** The load balancer's connection idle timeout (infra sets it from this). */
  readonly loadBalancerIdleSeconds: number;
  readonly keepAliveMs: number;
  readonly headersMs: number;
}

const MARGIN_SECONDS = 15;

export function ingestTimeouts(idleTimeoutSeconds: number): IngestTimeouts {
  const loadBalancerIdleSeconds = idleTimeoutSeconds + MARGIN_SECONDS;
  const keepAliveSeconds = loadBalancerIdleSeconds + MARGIN_SECONDS;
  return {
    idleMs: idleTimeoutSeconds * 1000,
    loadBalancerIdleSeconds,
    keepAliveMs: keepAliveSeconds * 1000,
    headersMs: (keepAliveSeconds + 5) * 1000,
  };
}
