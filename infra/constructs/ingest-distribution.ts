import { Duration } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { VpcOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { ApplicationLoadBalancer } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { CLOUDFRONT_MAX_READ_TIMEOUT_SECONDS } from '../ingest-config.ts';

export interface IngestDistributionProps {
  readonly stage: string;
  /** The internal load balancer in front of the ingest tasks. */
  readonly loadBalancer: ApplicationLoadBalancer;
  /** The load balancer's idle timeout: CloudFront must drop idle connections before it does. */
  readonly loadBalancerIdleSeconds: number;
}

/** CloudFront's longest origin keep-alive without a quota increase is 120 s; stay well inside. */
const MAX_KEEPALIVE_SECONDS = 60;

/**
 * HTTPS for the streaming door without a domain: a CloudFront distribution on its default
 * `*.cloudfront.net` name and certificate, reaching the internal load balancer through a VPC
 * origin (so the balancer has no public address). Nothing is cached: every method, header
 * (`Authorization` included, which CloudFront forwards only when caching is off), cookie and
 * query string goes to the origin, and the answer comes back as it is. The facts this relies on
 * (timeouts, body size, cost) are in docs/deploy.md with their sources.
 */
export class IngestDistribution extends Construct {
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: IngestDistributionProps) {
    super(scope, id);
    // Shorter than the balancer's idle timeout, so CloudFront never reuses a connection the
    // balancer has just closed.
    const keepalive = Math.max(
      1,
      Math.min(MAX_KEEPALIVE_SECONDS, props.loadBalancerIdleSeconds - 15),
    );
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `cutout ${props.stage} streaming front door`,
      defaultBehavior: {
        origin: VpcOrigin.withApplicationLoadBalancer(props.loadBalancer, {
          vpcOriginName: `cutout-${props.stage}-ingest`,
          protocolPolicy: OriginProtocolPolicy.HTTP_ONLY,
          httpPort: 80,
          // Long enough for the service's 408 on a stalled upload to come back (ingest-config.ts).
          readTimeout: Duration.seconds(CLOUDFRONT_MAX_READ_TIMEOUT_SECONDS),
          keepaliveTimeout: Duration.seconds(keepalive),
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER,
        compress: false,
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      // North America and Europe edges only: the cheapest class; clients elsewhere still connect.
      priceClass: PriceClass.PRICE_CLASS_100,
    });
  }
}
