import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_INLINE_BODY_BYTES } from '../../core/config/inline-limit.ts';
import type { LocalStack } from '../../local/local-stack.ts';
import { probe } from '../e2e/probe-output.ts';
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
  // The streaming front door (npm start's default) with video workers: the 60 MB video below.
  stack = await startTestStack({ video: true });
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

/**
 * The reference's video examples send the file inline whatever its size. A 60 MB video goes
 * through the streaming front door (`npm start`'s default, the opt-in AWS door); the lambda
 * door, as API Gateway + Lambda on AWS, refuses it with a 413 that says what to do instead.
 * The video is noise (nothing compresses it), so 60 MB is a few frames and inference stays cheap.
 */
describe('the API reference video examples with a 60 MB video', () => {
  const VIDEO_BYTES = 60 * 1000 * 1000;
  let video: string;
  let lambda: LocalStack;

  beforeAll(async () => {
    lambda = await startTestStack({ workers: 0, frontDoor: 'lambda' });
    video = join(work, 'testfiles', 'video.mp4');
    // About 1.7 MB a frame at 1280x720, lossless noise.
    await run('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'color=c=gray:s=1280x720:r=10,noise=alls=100:allf=t+u',
      '-frames:v',
      '38',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-qp',
      '0',
      '-pix_fmt',
      'yuv420p',
      video,
    ]);
    const size = (await stat(video)).size;
    expect(size).toBeGreaterThan(VIDEO_BYTES);
    expect(size).toBeLessThan(80 * 1000 * 1000);
  }, 120_000);

  afterAll(async () => {
    await lambda?.stop();
  });

  async function python(target: LocalStack, dir: string) {
    await mkdir(join(dir, 'testfiles'), { recursive: true });
    await copyFile(video, join(dir, 'testfiles', 'video.mp4'));
    const script = join(dir, 'client.py');
    await writeFile(
      script,
      await template('seed-video-client.py.template', {
        __HOST__: `localhost:${target.port}`,
        __API_KEY__: target.apiKey,
      }),
    );
    return run('/usr/bin/python3', [script], { cwd: dir, timeout: 240_000 }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({
        code: e.code ?? 1,
        stdout: e.stdout ?? '',
        stderr: e.stderr ?? '',
      }),
    );
  }

  it('Python (requests): converts it through the streaming door', async () => {
    const dir = await mkdtemp(join(work, 'py-video-'));
    const { code, stdout, stderr } = await python(stack, dir);
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    const saved = (await readdir(dir)).filter((f) => f.endsWith('.mov'));
    expect(saved).toEqual(['video.mov']);
    const info = await probe(join(dir, 'video.mov'));
    console.log(`python video client: ${JSON.stringify(info)}`);
    expect(info).toMatchObject({ width: 1280, height: 720 });
    expect(info.pixFmt).toMatch(/a/);
  }, 300_000);

  it('PHP (curl): converts it through the streaming door', async () => {
    const dir = await mkdtemp(join(work, 'php-video-'));
    const script = join(dir, 'client.php');
    await writeFile(
      script,
      await template('seed-video-client.php.template', {
        __HOST__: `localhost:${stack.port}`,
        __API_KEY__: stack.apiKey,
        __INPUT__: video,
        __OUT_DIR__: dir,
      }),
    );
    const { stdout } = await run('php', [script], { cwd: dir, timeout: 240_000 });
    const saved = (await readdir(dir)).filter((f) => f !== 'client.php');
    console.log(`php video client: downloaded ${saved.join(', ')}; output: ${stdout.trim()}`);
    expect(saved).toHaveLength(1);
    const info = await probe(join(dir, saved[0] ?? ''));
    expect(info).toMatchObject({ width: 1280, height: 720 });
  }, 300_000);

  it('through the lambda door the same upload gets the clear 413', async () => {
    expect(VIDEO_BYTES).toBeGreaterThan(MAX_INLINE_BODY_BYTES);
    const dir = await mkdtemp(join(work, 'py-lambda-'));
    const { stdout } = await python(lambda, dir);
    // The example prints the status and the body of a refusal.
    expect(stdout).toMatch(/^413$/m);
    expect(stdout).toContain('INPUT_TOO_LARGE');
    expect(stdout).toContain('uploads');
    const php = join(dir, 'client.php');
    await writeFile(
      php,
      await template('seed-video-client.php.template', {
        __HOST__: `localhost:${lambda.port}`,
        __API_KEY__: lambda.apiKey,
        __INPUT__: video,
        __OUT_DIR__: dir,
      }),
    );
    const { stdout: phpOut } = await run('php', [php], { cwd: dir, timeout: 120_000 });
    // The example prints the error of a refused convert.
    expect(phpOut).toMatch(/^body: larger than /);
  }, 300_000);
});
