import { type App, Tags, Validations } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type CutoutConfig, loadConfig, stackNames } from './config.ts';
import { retainHelperLambdaLogs } from './constructs/custom-resource-logs.ts';
import { acknowledgeNagFindings } from './nag-acknowledgements.ts';
import { AccountStack } from './stacks/account-stack.ts';
import { ServiceStack } from './stacks/service-stack.ts';
import { StorageStack } from './stacks/storage-stack.ts';

export interface CutoutStacks {
  readonly config: CutoutConfig;
  readonly account: AccountStack;
  readonly storage: StorageStack;
  readonly service: ServiceStack;
}

export interface BuildOptions {
  /** Run cdk-nag's AwsSolutions checks at synth (a finding fails the synth). Default true. */
  readonly nag?: boolean;
}

/**
 * Adds cutout's two stacks to an app. The stacks are environment-agnostic (account and region
 * come from the deploying credentials), so synth needs no AWS access; `cdk deploy` resolves
 * them. The CLI entry (app.ts) and the tests both build the app through here.
 */
export function buildCutoutApp(app: App, options: BuildOptions = {}): CutoutStacks {
  const config = loadConfig((key) => app.node.tryGetContext(key));
  const names = stackNames(config.stage);
  const account = new AccountStack(app, names.account, {
    description: 'cutout, every stage: API Gateway CloudWatch Logs role (retained on delete)',
  });
  const storage = new StorageStack(app, names.storage, {
    config,
    description: `cutout ${config.stage}: buckets, tables and queues (stateful)`,
  });
  const service = new ServiceStack(app, names.service, {
    config,
    storage,
    description: `cutout ${config.stage}: API, Lambdas, GPU workers, alarms (stateless)`,
  });
  // The stage's execution logging needs the account's CloudWatch role in place first.
  service.addStackDependency(account);
  Tags.of(app).add('project', 'cutout');
  // The account stack is shared by every stage, so it carries no stage tag.
  for (const stack of [storage, service]) Tags.of(stack).add('cutout:stage', config.stage);
  for (const stack of [storage, service]) {
    retainHelperLambdaLogs(stack, config.logRetentionDays as RetentionDays);
  }
  acknowledgeNagFindings(config.stage, storage, service, account);
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { config, account, storage, service };
}
