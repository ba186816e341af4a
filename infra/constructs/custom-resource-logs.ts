import { CfnResource, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { NodeFunction } from './node-function.ts';

/**
 * CDK's own helper Lambdas (the S3 bucket-notification and auto-delete-objects handlers, the
 * default-security-group restriction) log to `/aws/lambda/<name>`, which Lambda creates on first
 * run with no retention, so those logs would be kept forever. This points every Lambda of the
 * stack that is not a NodeFunction (those have their own group) at a group with the stage's
 * retention. Call it once the stack is complete: the helpers are added as resources need them.
 *
 * @returns how many functions it gave a log group
 */
export function retainHelperLambdaLogs(stack: Stack, retention: RetentionDays): number {
  const helpers = stack.node
    .findAll()
    .filter(
      (c): c is CfnResource =>
        c instanceof CfnResource &&
        c.cfnResourceType === 'AWS::Lambda::Function' &&
        !c.node.scopes.some((scope) => scope instanceof NodeFunction),
    );
  if (helpers.length === 0) return 0;
  const scope = new Construct(stack, 'HelperLambdaLogs');
  for (const fn of helpers) {
    const group = new LogGroup(scope, fn.node.path.replace(/\//g, '-'), {
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    fn.addPropertyOverride('LoggingConfig.LogGroup', group.logGroupName);
  }
  return helpers.length;
}
