import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack.ts';
import { startTestStack } from '../integration/local/local-stack-harness.ts';
import { samplePng } from '../integration/worker/worker-harness.ts';

/**
 * The API reference's own client examples against the local stack, with only the host and the
 * key changed: curl, Python (Debian's python3-requests) and PHP (php-cli with curl).
 */

const run = promisify(execFile);
const HERE = fileURLToPath(new URL('.', import.meta.url));
let stack: LocalStack;
let work: string;
let host: string;

beforeAll(async () => {
  stack = await startTestStack();
  host = `localhost:${stack.port}`;
  work = await mkdtemp(join(tmpdir(), 'cutout-clients-'));
  await mkdir(join(work, 'testfiles'));
  // The reference's examples upload JPEGs.
  const jpeg = await sharp(await samplePng(72, 54, 3))
    .jpeg()
    .toBuffer();
  await writeFile(join(work, 'testfiles', 'image.jpeg'), jpeg);
});

afterAll(async () => {
  await stack?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function expectCutout(path: string): Promise<void> {
  const meta = await sharp(await readFile(path)).metadata();
  expect(meta).toMatchObject({ format: 'png', width: 72, height: 54, hasAlpha: true });
}

async function template(name: string, values: Record<string, string>): Promise<string> {
  let text = await readFile(join(HERE, name), 'utf8');
  for (const [k, v] of Object.entries(values)) text = text.replaceAll(k, v);
  return text;
}

describe('the API reference client examples', () => {
  it('curl: convert, results, download', async () => {
    const { stdout: convertOut } = await run(
      'curl',
      [
        '-sS',
        '-F',
        'lang=en',
        '-F',
        'convert_to=image-backgroundremover',
        '-F',
        'files=@image.jpeg',
        '-H',
        `Authorization: ${stack.apiKey}`,
        `http://${host}/v1/convert/`,
      ],
      { cwd: join(work, 'testfiles') },
    );
    const { uuid } = JSON.parse(convertOut) as { uuid: string };
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    let reply: { finished: boolean; files: { url: string; filename: string }[] } = {
      finished: false,
      files: [],
    };
    for (let i = 0; i < 100 && !reply.finished; i++) {
      const { stdout } = await run('curl', [
        '-sS',
        '-F',
        `uuid=${uuid}`,
        `http://${host}/v1/results/`,
      ]);
      reply = JSON.parse(stdout);
      if (!reply.finished) await new Promise((r) => setTimeout(r, 200));
    }
    expect(reply.finished).toBe(true);
    expect(reply.files).toEqual([
      expect.objectContaining({ filename: 'image.png', url: `/v1/files/${uuid}/image.png` }),
    ]);
    const target = join(work, 'curl-image.png');
    await run('curl', ['-sS', '-o', target, `http://${host}${reply.files[0]?.url}`]);
    await expectCutout(target);
    console.log(`curl client: job ${uuid} -> ${reply.files[0]?.filename}`);
  });

  it('Python (requests), following the reference example', async () => {
    const dir = await mkdtemp(join(work, 'py-'));
    await mkdir(join(dir, 'testfiles'));
    await writeFile(
      join(dir, 'testfiles', 'image.jpeg'),
      await readFile(join(work, 'testfiles', 'image.jpeg')),
    );
    const script = join(dir, 'client.py');
    await writeFile(
      script,
      await template('seed-image-client.py.template', {
        __HOST__: host,
        __API_KEY__: stack.apiKey,
      }),
    );
    const { stdout, stderr } = await run('/usr/bin/python3', [script], {
      cwd: dir,
      timeout: 60_000,
    }).catch((e) => {
      throw new Error(`python client failed: ${e.stdout} ${e.stderr}`);
    });
    const saved = (await readdir(dir)).filter((f) => f.endsWith('.png'));
    console.log(
      `python client: downloaded ${saved.join(', ')}; output: ${stdout.trim()} ${stderr.trim()}`,
    );
    expect(saved).toEqual(['image.png']);
    await expectCutout(join(dir, 'image.png'));
  });

  it('PHP (curl), following the reference example', async () => {
    const hasPhp = await run('sh', ['-c', 'command -v php']).then(
      () => true,
      () => false,
    );
    // The reference's PHP client needs php-cli with the curl extension (scripts/env.sh installs them).
    expect(hasPhp, 'php is not installed: apt-get install php-cli php-curl').toBe(true);
    const dir = await mkdtemp(join(work, 'php-'));
    const script = join(dir, 'client.php');
    await writeFile(
      script,
      await template('seed-image-client.php.template', {
        __HOST__: host,
        __API_KEY__: stack.apiKey,
        __INPUT__: join(work, 'testfiles', 'image.jpeg'),
        __OUT_DIR__: dir,
      }),
    );
    const { stdout } = await run('php', [script], { cwd: dir, timeout: 60_000 });
    const saved = (await readdir(dir)).filter((f) => f.endsWith('.png'));
    console.log(
      `php client: downloaded ${saved.join(', ')}${stdout ? `; output: ${stdout.trim()}` : ''}`,
    );
    expect(saved).toEqual(['image.png']);
    await expectCutout(join(dir, 'image.png'));
  });
});
