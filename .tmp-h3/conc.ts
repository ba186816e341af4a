import { spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
const imgs = readdirSync('../shared/data/eval/images').sort().slice(0, 10).map((n) => `../shared/data/eval/images/${n}`);
const configs: [string, string[], Record<string, string>][] = [
  ['c2-auto', [], {}],
  ['c1-auto', ['--concurrency', '1'], {}],
  ['c2-t1', [], { CUTOUT_ORT_THREADS: '1' }],
  ['c1-t2', ['--concurrency', '1'], { CUTOUT_ORT_THREADS: '2' }],
];
const run = (args: string[], env: Record<string, string>) => new Promise<[number, number]>((ok) => {
  const t = performance.now();
  const c = spawn('/usr/bin/time', ['-f', '%U %S', process.execPath, ...args], { env: { ...process.env, CUTOUT_MODEL_DIR: '.cache/models', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = ''; c.stderr.on('data', (d) => (err += d));
  c.on('exit', () => { const l = err.trim().split('\n').at(-1)!.split(' ').map(Number); ok([performance.now() - t, (l[0] ?? 0) + (l[1] ?? 0)]); });
});
for (let r = 0; r < 2; r++) for (const [name, flags, env] of configs) {
  rmSync('/tmp/h3/c', { recursive: true, force: true });
  const [w, cpu] = await run(['bin/cutout.js', 'remove', ...imgs, '-o', '/tmp/h3/c', '-m', 'isnet-imgly', ...flags], env);
  const la = (await import('node:os')).loadavg()[0];
  console.log(name, 'wall', (w / 1000).toFixed(1), 'cpu', cpu.toFixed(1), 'load', la.toFixed(1));
}
