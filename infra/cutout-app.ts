import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type CutoutConfig, loadConfig, stackNames } from './config.ts';
import { acknowledgeNagFindings } from './nag-acknowledgements.ts';
import { ServiceStack } from './stacks/service-stack.ts';
import { StorageStack } from './stacks/storage-stack.ts';

export interface CutoutStacks {
  readonly config: CutoutConfig;
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
  const storage = new StorageStack(app, names.storage, {
    config,
    description: `cutout ${config.stage}: buckets, tables and queues (stateful)`,
  });
  const service = new ServiceStack(app, names.service, {
    config,
    storage,
    description: `cutout ${config.stage}: API, Lambdas, GPU workers, alarms (stateless)`,
  });
  Tags.of(app).add('project', 'cutout');
  Tags.of(app).add('cutout:stage', config.stage);
  acknowledgeNagFindings(config.stage, storage, service);
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { config, storage, service };
}
