import * as ort from 'onnxruntime-node';
const path = process.argv[2]!;
const opt = JSON.parse(process.argv[3] ?? '{}');
const t = performance.now();
const s = await ort.InferenceSession.create(path, { logSeverityLevel: 3, ...opt });
console.log(process.argv[3], 'create', Math.round(performance.now() - t));
