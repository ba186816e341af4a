import * as ort from 'onnxruntime-node';
const path = process.argv[2]!;
const opt = JSON.parse(process.argv[3] ?? '{}');
let t = performance.now();
const s = await ort.InferenceSession.create(path, { graphOptimizationLevel: 'all', logSeverityLevel: 3, ...opt });
console.log('create', Math.round(performance.now() - t));
const x = new ort.Tensor('float32', new Float32Array(3 * 1024 * 1024), [1, 3, 1024, 1024]);
for (let i = 0; i < 3; i++) {
  t = performance.now();
  await s.run({ [s.inputNames[0]!]: x }, [s.outputNames[0]!]);
  console.log('run', i, Math.round(performance.now() - t));
}
