import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
const M = '.cache/models/isnet-imgly.cpu-93f276efb47c.onnx';
const opts = (t) => ({ graphOptimizationLevel: 'disabled', intraOpNumThreads: t, logSeverityLevel: 3, extra: { session: { intra_op: { allow_spinning: process.env.SPIN ?? '0' } } } });
const x = () => new ort.Tensor('float32', new Float32Array(3 * 1024 * 1024).fill(0.1), [1, 3, 1024, 1024]);
async function runN(threads, n) {
  const s = await ort.InferenceSession.create(M, opts(threads));
  const t = performance.now();
  for (let i = 0; i < n; i++) await s.run({ input: x() }, ['output']);
  return performance.now() - t;
}
if (!isMainThread) {
  parentPort.postMessage(await runN(workerData.threads, workerData.n));
} else {
  const mode = process.argv[2]; const n = Number(process.argv[3] ?? 4);
  const c0 = process.cpuUsage(); const t0 = performance.now();
  if (mode === 'one') {
    console.log('one session 2 threads', n, 'runs: run-wall', Math.round(await runN(2, n)));
  } else {
    const ws = [0, 1].map(() => new Promise((ok) => new Worker(new URL(import.meta.url), { workerData: { threads: 1, n: n / 2 } }).on('message', ok)));
    console.log('two workers 1 thread', n, 'runs: run-walls', (await Promise.all(ws)).map(Math.round));
  }
  const c = process.cpuUsage(c0);
  console.log(mode, 'total wall', Math.round(performance.now() - t0), 'cpu', Math.round((c.user + c.system) / 1000));
}
