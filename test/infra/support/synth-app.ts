import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { loadConfig, stackNames } from '../../../infra/config.ts';
import { buildCutoutApp } from '../../../infra/cutout-app.ts';
import { StorageStack } from '../../../infra/stacks/storage-stack.ts';

/**
 * Child-process entry used by test-app.ts: synthesizes the app into `outdir` and writes
 * `summary.json` (stack names, and with --nag every AwsSolutions finding with the reason it
 * was acknowledged). A synth keeps the CPU busy for many seconds; in its own process it
 * cannot starve the test runner's event loop.
 *
 *   tsx synth-app.ts <outdir> <context-json> [--nag] [--storage-only]
 */

export interface SynthSummary {
  readonly storageStack: string;
  /** Empty with --storage-only. */
  readonly serviceStack: string;
  /** The account-wide stack (API Gateway's logging role); empty with --storage-only. */
  readonly accountStack: string;
  readonly terminationProtection: { readonly storage: boolean; readonly service: boolean };
  /** Present with --nag: what AwsSolutions reported before acknowledgements were applied. */
  readonly nagFindings?: readonly {
    readonly ruleName: string;
    readonly constructPath: string;
    readonly reason: string | undefined;
  }[];
}

function acknowledgementReason(app: App, path: string, ruleName: string): string | undefined {
  let node: IConstruct | undefined = app.node.findAll().find((c) => c.node.path === path);
  while (node) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      const reason = (entry.data as Record<string, string>)[`AwsSolutions::${ruleName}`];
      if (reason) return reason;
    }
    node = node.node.scope;
  }
  return undefined;
}

const [outdir, contextJson, ...flags] = process.argv.slice(2);
if (!outdir || !contextJson) throw new Error('usage: synth-app.ts <outdir> <context-json> [--nag]');
const nag = flags.includes('--nag');
const app = new App({ outdir, context: JSON.parse(contextJson) as Record<string, unknown> });

function storageOnly(): { storage: StorageStack; service: undefined; account: undefined } {
  const config = loadConfig((key) => app.node.tryGetContext(key));
  const storage = new StorageStack(app, stackNames(config.stage).storage, { config });
  return { storage, service: undefined, account: undefined };
}
const stacks = flags.includes('--storage-only') ? storageOnly() : buildCutoutApp(app, { nag });

// cdk-nag's report is trimmed once acknowledgements apply: copy it as it is made.
let findings: { ruleName: string; constructPath: string }[] | undefined;
const validate = AwsSolutionsChecks.prototype.validate;
AwsSolutionsChecks.prototype.validate = function (this: AwsSolutionsChecks, context) {
  const report = validate.call(this, context);
  findings = report.violations.flatMap((v) =>
    v.violatingResources.map((r) => ({
      ruleName: v.ruleName,
      constructPath: r.constructPath ?? '',
    })),
  );
  return report;
};
app.synth();

const summary: SynthSummary = {
  storageStack: stacks.storage.stackName,
  serviceStack: stacks.service?.stackName ?? '',
  accountStack: stacks.account?.stackName ?? '',
  terminationProtection: {
    storage: stacks.storage.terminationProtection === true,
    service: stacks.service?.terminationProtection === true,
  },
  ...(findings
    ? {
        nagFindings: findings.map((f) => ({
          ...f,
          reason: acknowledgementReason(app, f.constructPath, f.ruleName),
        })),
      }
    : {}),
};
writeFileSync(join(outdir, 'summary.json'), JSON.stringify(summary, null, 2));
