/**
 * Rewrites an fp16 ONNX model as fp32: every FLOAT16 tensor (initializers, Constant attributes),
 * every FLOAT16 type declaration (inputs, outputs, value_info) and every Cast to FLOAT16 becomes
 * FLOAT. The Casts the fp16 export inserted then cast float to float, which ONNX Runtime's graph
 * optimiser removes.
 *
 * Why: on the CPU execution provider fp16 kernels are scarce, so an fp16 graph runs as a chain of
 * Cast -> fp32 kernel -> Cast; the fp32 graph skips that traffic.
 *
 * The rewrite works on the protobuf wire format rather than on decoded messages: every field it
 * does not touch (attributes, metadata, fields newer than any schema subset) is copied byte for
 * byte, so nothing the model needs can be lost in a decode/encode round trip. Field numbers are
 * those of onnx/onnx.proto.
 */

const FLOAT = 1;
const FLOAT16 = 10;

/** Wire types of the protobuf encoding. */
const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;

interface Field {
  readonly number: number;
  readonly wireType: number;
  /** The whole field, tag included, for verbatim copies. */
  readonly start: number;
  readonly end: number;
  /** The payload (for LEN: the bytes after the length prefix; for VARINT: the value bytes). */
  readonly valueStart: number;
}

/** What a rewrite did, for logs and tests. */
export interface Fp32Conversion {
  readonly bytes: Uint8Array;
  readonly tensors: number;
  readonly casts: number;
  readonly declarations: number;
}

/** @throws Error when the bytes are not a parseable ONNX model or use external data */
export function convertFp16ModelToFp32(model: Uint8Array): Fp32Conversion {
  const counts = { tensors: 0, casts: 0, declarations: 0 };
  const out = rewriteBody(model, 0, model.length, (field) =>
    field.number === 7 && field.wireType === LEN ? rewriteGraph(model, field, counts) : undefined,
  );
  return { bytes: out, ...counts };
}

type Counts = { tensors: number; casts: number; declarations: number };

function rewriteGraph(buf: Uint8Array, field: Field, counts: Counts): Uint8Array {
  return rewrite(buf, field, (inner) => {
    if (inner.wireType !== LEN) return undefined;
    switch (inner.number) {
      case 1: // node
        return rewriteNode(buf, inner, counts);
      case 5: // initializer
        return rewriteTensor(buf, inner, counts);
      case 11: // input
      case 12: // output
      case 13: // value_info
        return rewriteValueInfo(buf, inner, counts);
      default:
        return undefined;
    }
  });
}

function rewriteNode(buf: Uint8Array, field: Field, counts: Counts): Uint8Array {
  const fields = innerFields(buf, field);
  const opType = fields.find((f) => f.number === 4 && f.wireType === LEN);
  const domain = fields.find((f) => f.number === 7 && f.wireType === LEN);
  const isCast =
    opType !== undefined &&
    text(buf, opType) === 'Cast' &&
    (domain === undefined || text(buf, domain) === '' || text(buf, domain) === 'ai.onnx');
  return rewrite(buf, field, (inner) =>
    inner.number === 5 && inner.wireType === LEN
      ? rewriteAttribute(buf, inner, isCast, counts)
      : undefined,
  );
}

function rewriteAttribute(
  buf: Uint8Array,
  field: Field,
  castNode: boolean,
  counts: Counts,
): Uint8Array {
  const fields = innerFields(buf, field);
  const name = fields.find((f) => f.number === 1 && f.wireType === LEN);
  const castTo = castNode && name !== undefined && text(buf, name) === 'to';
  return rewrite(buf, field, (inner) => {
    if (castTo && inner.number === 3 && inner.wireType === VARINT) {
      if (readVarint(buf, inner.valueStart).value !== FLOAT16) return undefined;
      counts.casts += 1;
      return concat([encodeVarint((3 << 3) | VARINT), encodeVarint(FLOAT)]);
    }
    if (inner.wireType !== LEN) return undefined;
    if (inner.number === 5) return rewriteTensor(buf, inner, counts); // t
    if (inner.number === 9) return rewriteTensor(buf, inner, counts); // tensors
    if (inner.number === 6 || inner.number === 10) return rewriteGraph(buf, inner, counts); // g, graphs
    return undefined;
  });
}

function rewriteTensor(buf: Uint8Array, field: Field, counts: Counts): Uint8Array | undefined {
  const fields = innerFields(buf, field);
  const type = fields.find((f) => f.number === 2 && f.wireType === VARINT);
  if (type === undefined || readVarint(buf, type.valueStart).value !== FLOAT16) return undefined;
  if (fields.some((f) => f.number === 14)) {
    throw new Error('fp16 -> fp32: tensors with external data are not supported');
  }
  counts.tensors += 1;
  const halves: number[] = [];
  let raw: Uint8Array | undefined;
  for (const f of fields) {
    if (f.number === 9 && f.wireType === LEN) {
      const { value: length, next } = readVarint(buf, f.valueStart);
      raw = widenRaw(buf.subarray(next, next + length));
    } else if (f.number === 5) {
      // int32_data holds each fp16 bit pattern in the low 16 bits (packed or not).
      if (f.wireType === LEN) {
        const { value: length, next } = readVarint(buf, f.valueStart);
        for (let at = next; at < next + length; ) {
          const v = readVarint(buf, at);
          halves.push(v.value & 0xffff);
          at = v.next;
        }
      } else {
        halves.push(readVarint(buf, f.valueStart).value & 0xffff);
      }
    }
  }
  if (raw === undefined) {
    const lookup = halfTable();
    const values = new Float32Array(halves.length);
    halves.forEach((half, i) => {
      values[i] = lookup[half] ?? 0;
    });
    raw = new Uint8Array(values.buffer);
  }
  const kept = fields
    .filter((f) => f.number !== 2 && f.number !== 9 && f.number !== 5)
    .map((f) => buf.subarray(f.start, f.end));
  const body = concat([
    ...kept,
    encodeVarint((2 << 3) | VARINT),
    encodeVarint(FLOAT),
    encodeVarint((9 << 3) | LEN),
    encodeVarint(raw.length),
    raw,
  ]);
  return lengthDelimited(field.number, body);
}

function rewriteValueInfo(buf: Uint8Array, field: Field, counts: Counts): Uint8Array {
  return rewrite(buf, field, (inner) =>
    inner.number === 2 && inner.wireType === LEN ? rewriteType(buf, inner, counts) : undefined,
  );
}

/** TypeProto: tensor_type (1), sequence_type (4), optional_type (9) hold element types. */
function rewriteType(buf: Uint8Array, field: Field, counts: Counts): Uint8Array {
  return rewrite(buf, field, (inner) => {
    if (inner.wireType !== LEN) return undefined;
    if (inner.number === 1) {
      return rewrite(buf, inner, (leaf) => {
        if (leaf.number !== 1 || leaf.wireType !== VARINT) return undefined;
        if (readVarint(buf, leaf.valueStart).value !== FLOAT16) return undefined;
        counts.declarations += 1;
        return concat([encodeVarint((1 << 3) | VARINT), encodeVarint(FLOAT)]);
      });
    }
    if (inner.number === 4 || inner.number === 9) {
      return rewrite(buf, inner, (elem) =>
        elem.number === 1 && elem.wireType === LEN ? rewriteType(buf, elem, counts) : undefined,
      );
    }
    return undefined;
  });
}

/** Re-encodes buf[start, end) with each field copied verbatim or replaced by `change`'s result. */
function rewriteBody(
  buf: Uint8Array,
  start: number,
  end: number,
  change: (field: Field) => Uint8Array | undefined,
): Uint8Array {
  const parts: Uint8Array[] = [];
  let changed = false;
  for (const field of parseFields(buf, start, end)) {
    const replacement = change(field);
    if (replacement === undefined) parts.push(buf.subarray(field.start, field.end));
    else {
      parts.push(replacement);
      changed = true;
    }
  }
  return changed ? concat(parts) : buf.subarray(start, end);
}

/** The nested message in a LEN field, rewritten and wrapped again as a complete field. */
function rewrite(
  buf: Uint8Array,
  field: Field,
  change: (inner: Field) => Uint8Array | undefined,
): Uint8Array {
  const { value: length, next } = readVarint(buf, field.valueStart);
  return lengthDelimited(field.number, rewriteBody(buf, next, next + length, change));
}

/** The fields of the nested message in a LEN field. */
function innerFields(buf: Uint8Array, field: Field): Field[] {
  const { value: length, next } = readVarint(buf, field.valueStart);
  return parseFields(buf, next, next + length);
}

function lengthDelimited(number: number, body: Uint8Array): Uint8Array {
  return concat([encodeVarint((number << 3) | LEN), encodeVarint(body.length), body]);
}

function parseFields(buf: Uint8Array, start: number, end: number): Field[] {
  const fields: Field[] = [];
  let at = start;
  while (at < end) {
    const fieldStart = at;
    const tag = readVarint(buf, at);
    at = tag.next;
    const number = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    const valueStart = at;
    switch (wireType) {
      case VARINT:
        at = readVarint(buf, at).next;
        break;
      case FIXED64:
        at += 8;
        break;
      case LEN: {
        const length = readVarint(buf, at);
        at = length.next + length.value;
        break;
      }
      case FIXED32:
        at += 4;
        break;
      default:
        throw new Error(`fp16 -> fp32: unsupported protobuf wire type ${wireType} at byte ${at}`);
    }
    if (at > end) throw new Error(`fp16 -> fp32: field ${number} overruns its message`);
    fields.push({ number, wireType, start: fieldStart, end: at, valueStart });
  }
  return fields;
}

/** Varints up to 2^53 are exact; larger ones (negative int64s) only need skipping here. */
function readVarint(buf: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  let next = at;
  for (;;) {
    const byte = buf[next];
    if (byte === undefined) throw new Error('fp16 -> fp32: truncated varint');
    next += 1;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) return { value, next };
  }
}

function encodeVarint(value: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Uint8Array.from(bytes);
}

function text(buf: Uint8Array, field: Field): string {
  const { value: length, next } = readVarint(buf, field.valueStart);
  return Buffer.from(buf.buffer, buf.byteOffset + next, length).toString('utf8');
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

let table: Float32Array | undefined;

/** Every binary16 bit pattern's value, so widening a tensor is one lookup per element. */
function halfTable(): Float32Array {
  if (table === undefined) {
    table = new Float32Array(65536);
    for (let half = 0; half < 65536; half++) table[half] = halfToFloat(half);
  }
  return table;
}

/** Little-endian fp16 raw_data -> little-endian fp32 raw_data. */
function widenRaw(bytes: Uint8Array): Uint8Array {
  const lookup = halfTable();
  const count = bytes.length >> 1;
  const values = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = 0; i < count; i++) values[i] = lookup[view.getUint16(i * 2, true)] ?? 0;
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error('fp16 -> fp32: a big-endian host is not supported');
  }
  return new Uint8Array(values.buffer);
}

/** IEEE 754 binary16 bit pattern -> number (subnormals, infinities and NaN included). */
export function halfToFloat(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >> 10) & 0x1f;
  const fraction = half & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
