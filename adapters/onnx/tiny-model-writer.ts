import { TINY_MODEL, tinyModelConvolution } from '../../core/models/tiny-model-rule.ts';
import { ONNX_FLOAT, ONNX_PROTO_SUBSET } from './onnx-proto-schema.ts';

type Dim = number | string;

/**
 * Encodes the tiny test model (see core/models/tiny-model-rule.ts) as ONNX bytes.
 * Deterministic: the same bytes on every run, so the manifest can pin their sha256.
 * protobufjs is a dev dependency, so it is loaded only when a tiny model is actually written.
 */
export async function encodeTinyModel(): Promise<Uint8Array> {
  const { default: protobuf } = await import('protobufjs');
  const root = protobuf.Root.fromJSON(ONNX_PROTO_SUBSET);
  const Model = root.lookupType('onnx.ModelProto');
  const { weights, bias } = tinyModelConvolution();
  const size = TINY_MODEL.inputSize;

  const model = {
    irVersion: 8,
    producerName: 'cutout scripts/make-tiny-model.ts',
    producerVersion: '1',
    docString: 'p = sigmoid(8 * (r - (g + b) / 2)) on RGB in 0..1, fed ImageNet-normalised',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'cutout-tiny',
      node: [
        {
          name: 'conv',
          opType: 'Conv',
          input: [TINY_MODEL.inputName, 'W', 'B'],
          output: [TINY_MODEL.logitOutputName],
        },
        {
          name: 'sigmoid',
          opType: 'Sigmoid',
          input: [TINY_MODEL.logitOutputName],
          output: [TINY_MODEL.outputName],
        },
      ],
      initializer: [floatTensor('W', [1, 3, 1, 1], weights), floatTensor('B', [1], [bias])],
      input: [valueInfo(TINY_MODEL.inputName, ['batch', 3, size, size])],
      output: [
        valueInfo(TINY_MODEL.outputName, ['batch', 1, size, size]),
        valueInfo(TINY_MODEL.logitOutputName, ['batch', 1, size, size]),
      ],
    },
  };
  const problem = Model.verify(model);
  if (problem) throw new Error(`tiny model does not fit the ONNX subset: ${problem}`);
  return Model.encode(Model.fromObject(model)).finish();
}

function floatTensor(name: string, dims: number[], values: readonly number[]) {
  const raw = Buffer.alloc(values.length * 4);
  for (const [index, value] of values.entries()) raw.writeFloatLE(value, index * 4);
  return { name, dims, dataType: ONNX_FLOAT, rawData: raw };
}

function valueInfo(name: string, dims: Dim[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType: ONNX_FLOAT,
        shape: {
          dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })),
        },
      },
    },
  };
}
