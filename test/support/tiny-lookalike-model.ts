import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ONNX_FLOAT, ONNX_PROTO_SUBSET } from '../../adapters/onnx/onnx-proto-schema.ts';
import { TINY_MODEL, tinyModelConvolution } from '../../core/models/tiny-model-rule.ts';
import { TEST_MODEL_DIR } from './tiny-model.ts';

const ONNX_FLOAT16 = 10;
const ATTRIBUTE_INT = 2;

/**
 * The shape of a published model the tiny rule can stand in for (the weights cannot be fetched
 * offline): input 1x3xSxS, one output 1x1xSxS, fixed batch of 1.
 */
export interface LookalikeSignature {
  readonly name: string;
  readonly size: number;
  /** `logits`: output 0 is the rule's raw logit (BiRefNet exports end before their sigmoid). */
  readonly output: 'logits' | 'sigmoid';
  /** `float16`: the output is cast to half precision, as BEN2's published graph declares it. */
  readonly outputType: 'float' | 'float16';
}

/** BiRefNet as rembg publishes it: 1x3x1024x1024 in, logits 1x1x1024x1024 out (float32). */
export const BIREFNET_SIGNATURE: LookalikeSignature = {
  name: 'tiny-birefnet',
  size: 1024,
  output: 'logits',
  outputType: 'float',
};

/**
 * The tiny model's rule (core/models/tiny-model-rule.ts: a 1x1 convolution that undoes the
 * ImageNet normalisation, then `GAIN * (r - (g + b) / 2)`) under another model's signature.
 * For a model fed without mean/std (BEN2), pass `normalised: false` and the convolution takes
 * raw 0..1 values.
 */
export async function writeLookalikeModel(
  signature: LookalikeSignature,
  normalised = true,
): Promise<string> {
  const { default: protobuf } = await import('protobufjs');
  const Model = protobuf.Root.fromJSON(ONNX_PROTO_SUBSET).lookupType('onnx.ModelProto');
  const { weights, bias } = normalised
    ? tinyModelConvolution()
    : { weights: [TINY_MODEL.gain, -TINY_MODEL.gain / 2, -TINY_MODEL.gain / 2], bias: 0 };
  const { size } = signature;
  const nodes: object[] = [
    { name: 'conv', opType: 'Conv', input: ['input_image', 'W', 'B'], output: ['logit'] },
  ];
  let last = 'logit';
  if (signature.output === 'sigmoid') {
    nodes.push({ name: 'sigmoid', opType: 'Sigmoid', input: [last], output: ['probability'] });
    last = 'probability';
  }
  if (signature.outputType === 'float16') {
    nodes.push({
      name: 'cast',
      opType: 'Cast',
      input: [last],
      output: ['half'],
      attribute: [{ name: 'to', i: ONNX_FLOAT16, type: ATTRIBUTE_INT }],
    });
    last = 'half';
  }
  const model = {
    irVersion: 8,
    producerName: 'cutout test/support/tiny-lookalike-model.ts',
    producerVersion: '1',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: signature.name,
      node: nodes,
      initializer: [floatTensor('W', [1, 3, 1, 1], weights), floatTensor('B', [1], [bias])],
      input: [valueInfo('input_image', ONNX_FLOAT, [1, 3, size, size])],
      output: [
        valueInfo(last, signature.outputType === 'float16' ? ONNX_FLOAT16 : ONNX_FLOAT, [
          1,
          1,
          size,
          size,
        ]),
      ],
    },
  };
  const problem = Model.verify(model);
  if (problem) throw new Error(`lookalike model does not fit the ONNX subset: ${problem}`);
  const bytes = Model.encode(Model.fromObject(model)).finish();
  await mkdir(TEST_MODEL_DIR, { recursive: true });
  const path = join(TEST_MODEL_DIR, `${signature.name}.onnx`);
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } finally {
    await rm(temporary, { force: true });
  }
  return path;
}

function floatTensor(name: string, dims: number[], values: readonly number[]) {
  const raw = Buffer.alloc(values.length * 4);
  for (const [index, value] of values.entries()) raw.writeFloatLE(value, index * 4);
  return { name, dims, dataType: ONNX_FLOAT, rawData: raw };
}

function valueInfo(name: string, elemType: number, dims: number[]) {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((dimValue) => ({ dimValue })) } } },
  };
}
