/**
 * Fault injection on the local stack (npm run bench:faults): runs each scenario of
 * test/integration/faults/fault-scenarios.ts and writes the counts to docs/benchmarks.md.
 * Each scenario runs in a process of its own (the Lambda handler modules bind the first
 * stack's emulator endpoints when imported), this script's own file with `--scenario NAME`.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import {
  describeReport,
  FAULT_SCENARIOS,
  type FaultReport,
} from '../test/integration/faults/fault-scenarios.ts';
import { machineDescription, writeBenchmarkSection } from './support/benchmarks-doc.ts';

const REPORT_PREFIX = 'FAULT_REPORT ';

async function runOne(name: string): Promise<void> {
  const scenario = FAULT_SCENARIOS[name];
  if (!scenario) throw new Error(`no scenario ${name}`);
  for (const report of await scenario()) {
    process.stdout.write(`${REPORT_PREFIX}${JSON.stringify(report)}\n`);
  }
}

function inChild(name: string): Promise<FaultReport[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, import.meta.filename, '--scenario', name],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const reports = out
        .split('\n')
        .filter((line) => line.startsWith(REPORT_PREFIX))
        .map((line) => JSON.parse(line.slice(REPORT_PREFIX.length)) as FaultReport);
      if (code !== 0 || reports.length === 0) {
        reject(new Error(`scenario ${name} exited with ${code}`));
      } else {
        resolve(reports);
      }
    });
  });
}

function verdict(r: FaultReport): string {
  const once =
    r.done === r.files &&
    r.failed === 0 &&
    r.outputs === r.files &&
    r.finishedTwice === 0 &&
    r.messagesLeft === 0;
  return once ? 'yes' : '**no**';
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { scenario: { type: 'string' } } });
  if (values.scenario) {
    await runOne(values.scenario);
    process.exit(0);
  }
  const reports: FaultReport[] = [];
  for (const name of Object.keys(FAULT_SCENARIOS)) {
    const got = await inChild(name);
    for (const r of got) console.log(describeReport(r));
    reports.push(...got);
  }
  const rows = reports.map((r) => {
    const detail = Object.entries(r.detail)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ');
    return `| ${r.scenario} | ${r.injected} | ${r.files} | ${r.done} | ${r.failed} | ${r.outputs} | ${r.finishedTwice} | ${r.messagesLeft} | ${verdict(r)} | ${detail || '-'} |`;
  });
  await writeBenchmarkSection(
    'faults',
    [
      '## Fault injection: every file ends exactly once',
      '',
      `Measured ${new Date().toISOString().slice(0, 10)} on ${machineDescription()}, with \`npm run bench:faults\`: ` +
        'the local stack (emulated S3, SQS and DynamoDB, the real Lambda handlers, real workers on the generated tiny model), one fault injected per scenario. ' +
        '"Once" means every file done, none failed, one output object each, none processed to completion twice, and no message left in any queue or dead-letter queue.',
      '',
      '| Scenario | Injected | Files | Done | Failed | Outputs | Finished twice | Messages left | Once | Detail |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
      ...rows,
    ].join('\n'),
  );
  const bad = reports.filter((r) => verdict(r) !== 'yes');
  if (bad.length > 0) {
    console.error(`${bad.length} scenario(s) did not end exactly once`);
    process.exit(1);
  }
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
