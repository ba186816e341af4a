/**
 * The queue URL of an SQS ARN (`arn:<partition>:sqs:<region>:<account>:<name>`), for calls on a
 * record of an SQS event, which names its queue only by ARN. Emulator clients send to their
 * configured endpoint whatever the URL's host, so the AWS form serves both.
 */
export function queueUrlFromArn(arn: string): string {
  const parts = arn.split(':');
  const [prefix, partition, service, region, account, name] = parts;
  if (parts.length !== 6 || prefix !== 'arn' || service !== 'sqs' || !region || !account || !name) {
    throw new Error(`not an SQS queue ARN: ${arn}`);
  }
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}
