import * as ort from 'onnxruntime-node';
try { const s = await ort.InferenceSession.create('.cache/models/tiny.onnx', { executionProviders: ['webgpu'], logSeverityLevel: 3 }); console.log('created', s.inputNames); } catch (e) { console.log('ERR', e.message); }
