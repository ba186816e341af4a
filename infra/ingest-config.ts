import { z } from 'zod';

/**
 * The front-door settings of the deployment (part of config.ts's schema). `lambda` is API
 * Gateway + Lambda: nothing runs when idle, and inline files stop at about 4.4 MB. `streaming`
 * adds an Application Load Balancer and a small ARM Fargate service (containers/ingest) that
 * streams inline files of any size to S3; it serves the whole v1 API and the web page on one
 * host, and costs money every hour it exists (docs/costs.md).
 */

/** Fargate's task sizes up to 1 vCPU: CPU units -> the memory sizes (MiB) it allows. */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
};

/**
 * CloudFront's longest origin response timeout without a quota increase (120 s): a request
 * the service cuts for idling must reach the client before CloudFront gives up on it.
 */
export const CLOUDFRONT_MAX_READ_TIMEOUT_SECONDS = 120;
/** Time the 408 of a cut request needs to come back through CloudFront (a wide margin). */
const CLOUDFRONT_RESPONSE_MARGIN_SECONDS = 30;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const hostname = z
  .string()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'a lower-case DNS name such as api.example.com',
  );

export const ingestConfigShape = {
  /** `lambda`: API Gateway + Lambda (default, nothing idle); `streaming`: ALB + Fargate. */
  ingest: z.enum(['lambda', 'streaming']).default('lambda'),
  /**
   * How the streaming door gets HTTPS. `cloudfront`: a CloudFront distribution with its
   * default `*.cloudfront.net` certificate in front of an internal load balancer (no domain
   * needed). `certificate`: an internet-facing load balancer with your ACM certificate on
   * `ingestDomainName`.
   */
  ingestHttps: z.enum(['cloudfront', 'certificate']).default('cloudfront'),
  /** The host name clients call (`certificate` only); the certificate must cover it. */
  ingestDomainName: hostname.optional(),
  /** ACM certificate in the deployment's region covering `ingestDomainName` (`certificate` only). */
  ingestCertificateArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/,
      'an ACM certificate ARN: arn:aws:acm:<region>:<account>:certificate/<id>',
    )
    .optional(),
  /** Route 53 hosted zone to create the `ingestDomainName` alias in; without it, add DNS yourself. */
  ingestHostedZoneId: z
    .string()
    .regex(/^Z[A-Z0-9]{1,31}$/, 'a Route 53 hosted zone id such as Z0123456789ABC')
    .optional(),
  /** The hosted zone's domain (`example.com`); required with `ingestHostedZoneId`. */
  ingestHostedZoneName: hostname.optional(),
  /** CPU units of one ingest task: 256 (0.25 vCPU), 512 or 1024. */
  ingestCpu: z.coerce
    .number()
    .refine((n) => Object.keys(FARGATE_SIZES).map(Number).includes(n), {
      message: `one of ${Object.keys(FARGATE_SIZES).join(', ')} (0.25, 0.5 or 1 vCPU)`,
    })
    .default(256),
  /** Memory of one ingest task (MiB); Fargate allows only some sizes per CPU (FARGATE_SIZES). */
  ingestMemoryMiB: int(512, 8192).default(512),
  /** Ingest tasks always running (at least one: the door is the API). */
  ingestMinTasks: int(1, 20).default(1),
  /** Most ingest tasks the scaling may start. */
  ingestMaxTasks: int(1, 50).default(4),
  /**
   * Seconds a request may send nothing before the service cuts it with a 408 and aborts its
   * uploads (INGEST_IDLE_TIMEOUT_SECONDS). The load balancer idles `+60` s longer, so the
   * service's clear 408 is what a stalled client gets, not the balancer's bare disconnect.
   */
  ingestIdleTimeoutSeconds: int(5, 1800).default(60),
  /** Largest video file one request may stream (INGEST_MAX_UPLOAD_BYTES); unset: the service's default. */
  ingestMaxUploadBytes: z.coerce.number().int().positive().optional(),
};

interface IngestSettings {
  readonly ingest: 'lambda' | 'streaming';
  readonly ingestHttps: 'cloudfront' | 'certificate';
  readonly ingestDomainName?: string | undefined;
  readonly ingestCertificateArn?: string | undefined;
  readonly ingestHostedZoneId?: string | undefined;
  readonly ingestHostedZoneName?: string | undefined;
  readonly ingestCpu: number;
  readonly ingestMemoryMiB: number;
  readonly ingestMinTasks: number;
  readonly ingestMaxTasks: number;
  readonly ingestIdleTimeoutSeconds: number;
}

/** Settings that only make sense together; each issue names the key to change. */
export function checkIngestConfig(c: IngestSettings, ctx: z.RefinementCtx): void {
  const issue = (path: keyof IngestSettings, message: string) =>
    ctx.addIssue({ code: 'custom', path: [path], message });
  const named = (
    [
      'ingestDomainName',
      'ingestCertificateArn',
      'ingestHostedZoneId',
      'ingestHostedZoneName',
    ] as const
  ).filter((key) => c[key] !== undefined);

  if (c.ingest === 'lambda') {
    for (const key of named) {
      issue(key, 'only used by the streaming front door: set cutout:ingest=streaming');
    }
    return;
  }
  if (c.ingestHttps === 'certificate') {
    if (!c.ingestCertificateArn) {
      issue(
        'ingestCertificateArn',
        'required with ingestHttps=certificate (an ACM certificate ARN)',
      );
    }
    if (!c.ingestDomainName) {
      issue(
        'ingestDomainName',
        'required with ingestHttps=certificate (the name the certificate covers)',
      );
    }
  } else {
    for (const key of named) {
      issue(
        key,
        'only used with ingestHttps=certificate; with cloudfront the door is the distribution’s *.cloudfront.net name',
      );
    }
    const longest = CLOUDFRONT_MAX_READ_TIMEOUT_SECONDS - CLOUDFRONT_RESPONSE_MARGIN_SECONDS;
    if (c.ingestIdleTimeoutSeconds > longest) {
      issue(
        'ingestIdleTimeoutSeconds',
        `at most ${longest} with ingestHttps=cloudfront: CloudFront waits ${CLOUDFRONT_MAX_READ_TIMEOUT_SECONDS} s at most for the origin's answer`,
      );
    }
  }
  if ((c.ingestHostedZoneId === undefined) !== (c.ingestHostedZoneName === undefined)) {
    issue(
      c.ingestHostedZoneId === undefined ? 'ingestHostedZoneId' : 'ingestHostedZoneName',
      'ingestHostedZoneId and ingestHostedZoneName go together',
    );
  }
  const zone = c.ingestHostedZoneName;
  const domain = c.ingestDomainName;
  if (zone && domain && domain !== zone && !domain.endsWith(`.${zone}`)) {
    issue('ingestDomainName', `must be ${zone} or a name under it (ingestHostedZoneName)`);
  }
  const memories = FARGATE_SIZES[c.ingestCpu];
  if (memories && !memories.includes(c.ingestMemoryMiB)) {
    issue(
      'ingestMemoryMiB',
      `with ingestCpu=${c.ingestCpu}, Fargate allows ${memories.join(', ')} MiB`,
    );
  }
  if (c.ingestMinTasks > c.ingestMaxTasks) {
    issue('ingestMinTasks', 'must not exceed ingestMaxTasks');
  }
}

/** The region of an ACM certificate ARN (`arn:aws:acm:<region>:...`). */
export function certificateRegion(arn: string): string {
  const region = arn.split(':')[3];
  if (!region) throw new Error(`not an ACM certificate ARN: ${arn}`);
  return region;
}
