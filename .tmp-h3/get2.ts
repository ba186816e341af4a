const { modelSettingsFromEnv } = await import('../adapters/models/model-env.ts');
const { createSegmenterProvider } = await import('../adapters/onnx/segmenter-provider.ts');
const t = performance.now();
const p = createSegmenterProvider(modelSettingsFromEnv({ CUTOUT_MODEL_DIR: '.cache/models' }), { log: (l) => console.log(Math.round(performance.now() - t), l) });
const s = await p.get(process.argv[2] ?? 'isnet-imgly');
console.log('get', Math.round(performance.now() - t));
const x = new Float32Array(3 * 1024 * 1024).fill(0.3);
for (let i = 0; i < 2; i++) { const t2 = performance.now(); const o = await s.infer(x, 1); console.log('infer', Math.round(performance.now() - t2), o[1000], o[500000]); }
await p.close();
