import * as ort from 'onnxruntime-node';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { convertFp16ModelToFp32, halfToFloat } from '../../../../adapters/onnx/fp16-to-fp32.ts';
import {
  ONNX_FLOAT,
  ONNX_FLOAT16,
  ONNX_PROTO_SUBSET,
} from '../../../../adapters/onnx/onnx-proto-schema.ts';

const root = protobuf.Root.fromJSON(ONNX_PROTO_SUBSET);
const Model = root.lookupType('onnx.ModelProto');

// fp16 bit patterns: 0.5, -1.25, 2 (weights, raw_data) and 0x3555 ~ 0.3333 (bias, int32_data).
const W_BITS = [0x3800, 0xbd00, 0x4000];
const B_BITS = 0x3555;

function tensorType(elemType: number, dims: number[]) {
  return { tensorType: { elemType, shape: { dim: dims.map((dimValue) => ({ dimValue })) } } };
}

/**
 * A model as an fp16 export looks: float input, Cast to fp16, fp16 weights (one initializer in
 * raw_data, one Constant in int32_data), fp16 value_info, Cast back to float. Y = X * W + B.
 */
function fp16Model(): Uint8Array {
  const raw = Buffer.alloc(W_BITS.length * 2);
  for (const [i, bits] of W_BITS.entries()) raw.writeUInt16LE(bits, i * 2);
  const model = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'fp16',
      node: [
        {
          opType: 'Cast',
          input: ['X'],
          output: ['Xh'],
          attribute: [{ name: 'to', i: ONNX_FLOAT16, type: 2 }],
        },
        {
          opType: 'Constant',
          output: ['B'],
          attribute: [
            {
              name: 'value',
              type: 4,
              t: { dims: [1], dataType: ONNX_FLOAT16, int32Data: [B_BITS] },
            },
          ],
        },
        { opType: 'Mul', input: ['Xh', 'W'], output: ['XW'], docString: 'kept verbatim' },
        { opType: 'Add', input: ['XW', 'B'], output: ['Yh'] },
        {
          opType: 'Cast',
          input: ['Yh'],
          output: ['Y'],
          attribute: [{ name: 'to', i: ONNX_FLOAT, type: 2 }],
        },
      ],
      initializer: [{ name: 'W', dims: [1, 3, 1, 1], dataType: ONNX_FLOAT16, rawData: raw }],
      input: [{ name: 'X', type: tensorType(ONNX_FLOAT, [1, 3, 1, 2]) }],
      output: [{ name: 'Y', type: tensorType(ONNX_FLOAT, [1, 3, 1, 2]) }],
    },
  };
  expect(Model.verify(model)).toBeNull();
  return Model.encode(Model.fromObject(model)).finish();
}

describe('halfToFloat', () => {
  it('decodes normals, subnormals, the largest half, infinities and NaN', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x3555)).toBe(1 / 4 + 0x155 / 4096);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });
});

describe('convertFp16ModelToFp32', () => {
  it('widens fp16 tensors exactly and turns Casts to fp16 into Casts to float', () => {
    const converted = convertFp16ModelToFp32(fp16Model());
    expect([converted.tensors, converted.casts]).toEqual([2, 1]);
    const decoded = Model.toObject(Model.decode(converted.bytes), { longs: Number }) as {
      graph: {
        initializer: { dataType: number; rawData: Uint8Array; dims: number[] }[];
        node: {
          opType: string;
          docString?: string;
          attribute?: {
            i?: number;
            t?: { dataType: number; rawData: Uint8Array; int32Data?: number[] };
          }[];
        }[];
      };
    };
    const w = decoded.graph.initializer[0];
    expect(w?.dataType).toBe(ONNX_FLOAT);
    expect(w?.dims).toEqual([1, 3, 1, 1]);
    expect([...new Float32Array(Uint8Array.from(w?.rawData ?? []).buffer)]).toEqual([
      0.5, -1.25, 2,
    ]);
    const b = decoded.graph.node[1]?.attribute?.[0]?.t;
    expect(b?.dataType).toBe(ONNX_FLOAT);
    expect(b?.int32Data ?? []).toEqual([]);
    expect([...new Float32Array(Uint8Array.from(b?.rawData ?? []).buffer)]).toEqual([
      halfToFloat(B_BITS),
    ]);
    expect(decoded.graph.node.map((node) => node.attribute?.[0]?.i)).toEqual([
      ONNX_FLOAT,
      undefined,
      undefined,
      undefined,
      ONNX_FLOAT,
    ]);
    expect(decoded.graph.node[2]?.docString).toBe('kept verbatim');
  });

  it('gives a model ONNX Runtime runs in fp32, computing X * W + B with the widened weights', async () => {
    const converted = convertFp16ModelToFp32(fp16Model());
    const session = await ort.InferenceSession.create(converted.bytes, {
      executionProviders: ['cpu'],
    });
    try {
      const x = Float32Array.from([1, 2, 3, -4, 0.25, 8]);
      const out = await session.run({ X: new ort.Tensor('float32', x, [1, 3, 1, 2]) });
      const y = out.Y?.data as Float32Array;
      const b = halfToFloat(B_BITS);
      const expected = [
        1 * 0.5 + b,
        2 * 0.5 + b,
        3 * -1.25 + b,
        -4 * -1.25 + b,
        0.25 * 2 + b,
        8 * 2 + b,
      ];
      for (const [i, value] of expected.entries()) expect(y[i]).toBeCloseTo(value, 5);
    } finally {
      await session.release();
    }
  });

  it('leaves a model with no fp16 in it byte for byte the same', () => {
    const once = convertFp16ModelToFp32(fp16Model()).bytes;
    const twice = convertFp16ModelToFp32(once);
    expect([twice.tensors, twice.casts, twice.declarations]).toEqual([0, 0, 0]);
    expect(Buffer.from(twice.bytes).equals(Buffer.from(once))).toBe(true);
  });

  it('refuses bytes that are not a protobuf message', () => {
    expect(() => convertFp16ModelToFp32(Uint8Array.from([0x3a, 0x05, 0x01]))).toThrow(/overruns/);
  });
});
