import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll } from 'vitest';
import type { SynthSummary } from './synth-app.ts';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

/** A whole-app synth takes ~15 s of CPU; on a shared two-core runner, much longer. */
export const SYNTH_TIMEOUT_MS = 300_000;

/** cdk.json's context (feature flags and cutout defaults): what `cdk synth` would see. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export interface SynthesizedApp {
  readonly outdir: string;
  readonly summary: SynthSummary;
  readonly storageTemplate: Template;
  readonly serviceTemplate: Template;
  readonly accountTemplate: Template;
}

/**
 * The whole app as `cdk synth` builds it (cdk.json's context plus `context`), synthesized in a
 * child process into a temporary directory. Lambda bundling is skipped unless `bundle` is set;
 * `nag` registers the AwsSolutions checks, and an unacknowledged finding fails the synth.
 */
export async function synthesizeApp(
  context: Record<string, unknown> = {},
  options: { readonly bundle?: boolean; readonly nag?: boolean } = {},
): Promise<SynthesizedApp> {
  const { outdir, summary, template } = await synthesize(context, options);
  return {
    outdir,
    summary,
    storageTemplate: await template(summary.storageStack),
    serviceTemplate: await template(summary.serviceStack),
    accountTemplate: await template(summary.accountStack),
  };
}

/**
 * The app synthesized once for the test file that calls this (a synth is slow): before its
 * tests run, and its output removed after them. Its fields are read inside tests and hooks.
 */
export function synthesizedForFile(
  context: Record<string, unknown> = {},
  options: { readonly bundle?: boolean; readonly nag?: boolean } = {},
): SynthesizedApp {
  let built: SynthesizedApp | undefined;
  beforeAll(async () => {
    built = await synthesizeApp(context, options);
  }, SYNTH_TIMEOUT_MS);
  afterAll(() => removeOutput(built?.outdir));
  const current = (): SynthesizedApp => {
    if (!built) throw new Error('the app is synthesized in beforeAll: read it inside a test');
    return built;
  };
  return {
    get outdir() {
      return current().outdir;
    },
    get summary() {
      return current().summary;
    },
    get storageTemplate() {
      return current().storageTemplate;
    },
    get serviceTemplate() {
      return current().serviceTemplate;
    },
    get accountTemplate() {
      return current().accountTemplate;
    },
  };
}

/** A resource of a synthesized template. */
export type CfnResource = { Properties: Record<string, CfnJson> } & Record<string, CfnJson>;

/** The resources of one type in a template, with their logical ids. */
export function resourcesOfType(template: Template, type: string): [string, CfnResource][] {
  return Object.entries(template.findResources(type)) as [string, CfnResource][];
}

/** Only the storage stack (it needs no Lambda entry points), synthesized like the app. */
export async function synthesizeStorage(context: Record<string, unknown> = {}): Promise<{
  readonly outdir: string;
  readonly summary: SynthSummary;
  readonly template: Template;
}> {
  const { outdir, summary, template } = await synthesize(context, { storageOnly: true });
  return { outdir, summary, template: await template(summary.storageStack) };
}

async function synthesize(
  context: Record<string, unknown>,
  options: { readonly bundle?: boolean; readonly nag?: boolean; readonly storageOnly?: boolean },
) {
  const outdir = await mkdtemp(join(tmpdir(), 'cutout-cdk-'));
  const fullContext = {
    ...cdkJsonContext(),
    ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    ...context,
  };
  const script = join(import.meta.dirname, 'synth-app.ts');
  const args = ['--import', 'tsx', script, outdir, JSON.stringify(fullContext)];
  if (options.nag) args.push('--nag');
  if (options.storageOnly) args.push('--storage-only');
  try {
    await promisify(execFile)(process.execPath, args, {
      cwd: REPO_ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`synth failed:\n${stderr}\n${stdout}`.slice(0, 20_000));
  }
  const summary = JSON.parse(await readFile(join(outdir, 'summary.json'), 'utf8')) as SynthSummary;
  const template = async (stack: string) =>
    Template.fromJSON(JSON.parse(await readFile(join(outdir, `${stack}.template.json`), 'utf8')));
  return { outdir, summary, template };
}

/** Removes a synth's output directory (bundles and the staged image context). */
export async function removeOutput(outdir: string | undefined): Promise<void> {
  if (outdir) await rm(outdir, { recursive: true, force: true });
}

/**
 * A value read out of a synthesized template or manifest: untyped CloudFormation JSON that the
 * assertions navigate freely (a wrong path fails the assertion, not the compiler).
 */
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON has no static shape.
export type CfnJson = any;
