import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../core/webhooks/webhook-signature.ts';

/**
 * The verification code docs/webhooks.md shows, run as written (Python, PHP and Node) against
 * signatures cutout's own signer makes: a good one passes; a changed body, another secret and
 * an old timestamp fail.
 */

const run = promisify(execFile);
const DOC = fileURLToPath(new URL('../../docs/webhooks.md', import.meta.url));
const SECRET = 'whsec_doc-check';
const BODY = '{"id":"evt_1","type":"job.finished","data":{"uuid":"u","finished":true}}';

let work: string;
let doc: string;

/** The first fenced block of `language` after the heading `heading`. */
function snippet(heading: string, language: string): string {
  const from = doc.indexOf(`\n${heading}\n`);
  expect(from, heading).toBeGreaterThan(0);
  const match = doc.slice(from).match(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``));
  expect(match, `${heading} ${language}`).not.toBeNull();
  return match?.[1] ?? '';
}

interface Case {
  readonly name: string;
  readonly header: string;
  readonly body: string;
  readonly expected: boolean;
}

function cases(): Case[] {
  const now = Math.floor(Date.now() / 1000);
  const good = signatureHeader(SECRET, now, BODY);
  return [
    { name: 'good', header: good, body: BODY, expected: true },
    { name: 'changed body', header: good, body: `${BODY} `, expected: false },
    {
      name: 'other secret',
      header: signatureHeader('whsec_x', now, BODY),
      body: BODY,
      expected: false,
    },
    {
      name: 'replayed',
      header: signatureHeader(SECRET, now - 600, BODY),
      body: BODY,
      expected: false,
    },
    {
      name: 'rotation (two v1)',
      header: `${good.split(',')[0]},v1=${'0'.repeat(64)},${good.split(',')[1]}`,
      body: BODY,
      expected: true,
    },
  ];
}

beforeAll(async () => {
  doc = await readFile(DOC, 'utf8');
  work = await mkdtemp(join(tmpdir(), 'cutout-webhook-doc-'));
});
afterAll(async () => rm(work, { recursive: true, force: true }));

async function check(file: string, command: string, args: (c: Case) => string[]) {
  for (const c of cases()) {
    await writeFile(join(work, 'body'), c.body);
    const { stdout } = await run(command, [file, ...args(c)], { cwd: work });
    expect(stdout.trim(), c.name).toBe(String(c.expected));
  }
}

describe('the verification snippets in docs/webhooks.md', () => {
  it('Python', async () => {
    const file = join(work, 'verify.py');
    await writeFile(
      file,
      `${snippet('### Python', 'python')}\nimport sys\nprint(str(cutout_signature_ok(sys.argv[1], sys.argv[2], open("body", "rb").read())).lower())\n`,
    );
    await check(file, 'python3', (c) => [SECRET, c.header]);
  });

  it('PHP', async () => {
    const file = join(work, 'verify.php');
    await writeFile(
      file,
      `<?php\n${snippet('### PHP', 'php')}\necho cutout_signature_ok($argv[1], $argv[2], file_get_contents('body')) ? "true" : "false";\n`,
    );
    await check(file, 'php', (c) => [SECRET, c.header]);
  });

  it('Node', async () => {
    const file = join(work, 'verify.mjs');
    await writeFile(
      file,
      `${snippet('### Node', 'js')}\nimport { readFileSync } from 'node:fs';\nconsole.log(String(cutoutSignatureOk(process.argv[2], process.argv[3], readFileSync('body'))));\n`,
    );
    await check(file, process.execPath, (c) => [SECRET, c.header]);
  });
});
