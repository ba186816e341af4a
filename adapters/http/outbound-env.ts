import { z } from 'zod';
import { booleanFlag, parseConfig } from '../../core/config/contract.ts';
import { parseCidr } from './address-policy.ts';
import type { OutboundPolicy } from './outbound-client.ts';

/**
 * The outbound guard's settings, read by every process that makes requests to URLs users give
 * (the worker for image_url, the webhook sender). AWS leaves both unset: https only, public
 * addresses only. The local stack sets http and loopback explicitly.
 */
export const OUTBOUND_ENV = {
  allowHttp: 'CUTOUT_OUTBOUND_ALLOW_HTTP',
  allowCidrs: 'CUTOUT_OUTBOUND_ALLOW_CIDRS',
} as const;

const cidrList = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .refine((cidrs) => cidrs.every((cidr) => parseCidr(cidr) !== undefined), {
    message: 'must be comma-separated CIDRs (a.b.c.d/n or v6::/n)',
  });

/** The variables, with `allowHttp`'s default for the deployment they describe. */
export function outboundEnvShape(defaults: { allowHttp: boolean }) {
  return {
    [OUTBOUND_ENV.allowHttp]: booleanFlag(defaults.allowHttp).describe(
      'Outbound requests (webhooks, image_url) may use plain http; off on AWS, on in the local stack.',
    ),
    [OUTBOUND_ENV.allowCidrs]: cidrList
      .default([])
      .describe(
        'Comma-separated CIDRs outbound requests may reach although not public (e.g. 127.0.0.1/32 locally); unset: none.',
      ),
  } as const;
}

/** The shape as documented for AWS (the configuration table). */
export const outboundEnvShapeAws = outboundEnvShape({ allowHttp: false });

/** @throws CutoutError CONFIGURATION naming a bad variable */
export function outboundPolicyFromEnv(
  env: NodeJS.ProcessEnv,
  defaults: { allowHttp: boolean },
): OutboundPolicy {
  const e = parseConfig(outboundEnvShape(defaults), env);
  return { allowHttp: e[OUTBOUND_ENV.allowHttp], allowedCidrs: e[OUTBOUND_ENV.allowCidrs] };
}
