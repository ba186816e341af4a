/**
 * Fault injection on the local stack (npm run bench:faults): runs each scenario of
 * test/integration/faults/fault-scenarios.ts in turn, in this process (each starts a stack of
 * its own), and writes the counts to docs/benchmarks.md.
 */
import {
  describeReport,
  FAULT_SCENARIOS,
  type FaultReport,
} from '../test/integration/faults/fault-scenarios.ts';
import { machineDescription, writeBenchmarkSection } from './support/benchmarks-doc.ts';

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
  const reports: FaultReport[] = [];
  for (const scenario of Object.values(FAULT_SCENARIOS)) {
    const got = await scenario();
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
