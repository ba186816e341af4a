import { describe, expect, it } from 'vitest';
import { queueUrlFromArn } from '../../../functions/on-dead-letter/queue-url.ts';

describe('queue URL of a dead-letter record', () => {
  it('turns an SQS ARN into its queue URL, China partition included', () => {
    expect(queueUrlFromArn('arn:aws:sqs:eu-west-1:123456789012:cutout-image-dlq')).toBe(
      'https://sqs.eu-west-1.amazonaws.com/123456789012/cutout-image-dlq',
    );
    expect(queueUrlFromArn('arn:aws-cn:sqs:cn-north-1:123456789012:q')).toBe(
      'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q',
    );
  });

  it('refuses what is not an SQS queue ARN, naming it', () => {
    expect(() => queueUrlFromArn('arn:aws:sns:us-east-1:1:topic')).toThrow(
      'not an SQS queue ARN: arn:aws:sns:us-east-1:1:topic',
    );
    expect(() => queueUrlFromArn('cutout-image-dlq')).toThrow(/not an SQS queue ARN/);
  });
});
