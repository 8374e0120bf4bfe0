/**
 * The subset of `onnx.proto3` (github.com/onnx/onnx, onnx/onnx.proto3) that nwave-ts writes and
 * reads, as a protobufjs JSON descriptor. Field numbers are copied from the official schema: only
 * numbers matter on the wire, so a subset stays compatible with every ONNX tool. Kept as JSON
 * (not `.proto` text) so that the light protobufjs build, without a parser, is enough.
 */
import protobuf from 'protobufjs/light.js';

/** `TensorProto.DataType` values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** `AttributeProto.AttributeType` values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, INTS: 7 } as const;

const descriptor = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            g: { type: 'GraphProto', id: 6 },
            floats: { rule: 'repeated', type: 'float', id: 7 },
            ints: { rule: 'repeated', type: 'int64', id: 8 },
            docString: { type: 'string', id: 13 },
            type: { type: 'int32', id: 20 },
          },
        },
        ValueInfoProto: {
          fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 }, docString: { type: 'string', id: 3 } },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            docString: { type: 'string', id: 6 },
            domain: { type: 'string', id: 7 },
          },
        },
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
          },
        },
        StringStringEntryProto: {
          fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            docString: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
            valueInfo: { rule: 'repeated', type: 'ValueInfoProto', id: 13 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
            docString: { type: 'string', id: 12 },
          },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 }, denotation: { type: 'string', id: 3 } },
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType'] } },
          fields: { tensorType: { type: 'Tensor', id: 1 }, denotation: { type: 'string', id: 6 } },
          nested: {
            Tensor: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } },
        },
      },
    },
  },
};

/**
 * Gives every message type a plain constructor before resolving: protobufjs would otherwise
 * generate them with `new Function`, which a strict CSP without 'unsafe-eval' (the app's)
 * forbids. Generated ones only pre-set empty arrays, which decode/fromObject/toObject do anyway.
 */
function plainConstructors(ns: protobuf.NamespaceBase): void {
  for (const child of ns.nestedArray) {
    if (child instanceof protobuf.Type) {
      child.ctor = function Message(this: Record<string, unknown>, props?: Record<string, unknown>) {
        for (const [k, v] of Object.entries(props ?? {})) if (v !== null && v !== undefined) this[k] = v;
      } as unknown as protobuf.Constructor<object>;
    }
    if (child instanceof protobuf.Namespace || child instanceof protobuf.Type) plainConstructors(child);
  }
}

const root = new protobuf.Root().addJSON(descriptor.nested);
plainConstructors(root);
root.resolveAll();

/** The `onnx.ModelProto` message type (encode/decode/verify). */
export const ModelProtoType = root.lookupType('onnx.ModelProto');

// Plain-object mirrors of the messages, as protobufjs accepts them for encoding (camelCase).
export interface TensorProto {
  name: string;
  dims: number[];
  dataType: DataTypeCode;
  /** Little-endian fixed-width element bytes (ONNX `raw_data`). */
  rawData: Uint8Array;
  docString?: string;
}
export interface AttributeProto {
  name: string;
  type: number;
  i?: number;
  f?: number;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  ints?: number[];
}
export interface NodeProto {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  attribute?: AttributeProto[];
  docString?: string;
}
/** One dimension: a fixed size or a symbolic name such as `batch`. */
export type Dim = number | string;
export interface ValueInfoProto {
  name: string;
  type: { tensorType: { elemType: DataTypeCode; shape?: { dim: ({ dimValue: number } | { dimParam: string })[] } } };
  docString?: string;
}
export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  docString?: string;
}
export interface ModelProto {
  irVersion: number;
  opsetImport: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  graph: GraphProto;
  metadataProps: { key: string; value: string }[];
}

/**
 * Writes `msg` field by field from the reflected descriptor, with protobufjs's `Writer` only.
 * protobufjs's own `encode`/`verify`/`fromObject` are generated with `new Function`, which a
 * strict Content-Security-Policy (no 'unsafe-eval', as in the app) forbids; this walk needs no
 * eval and writes the same bytes (fields in id order, packed scalars; tested against protobufjs).
 */
function writeMessage(type: protobuf.Type, msg: Record<string, unknown>, w: protobuf.Writer, at: string): protobuf.Writer {
  for (const field of [...type.fieldsArray].sort((a, b) => a.id - b.id)) {
    const value = msg[field.name];
    if (value === undefined || value === null) continue;
    const where = `${at}.${field.name}`;
    const values = field.repeated ? value : [value];
    if (!Array.isArray(values)) throw new Error(`internal: invalid ModelProto (${where}: array expected)`);
    if (values.length === 0) continue;
    const sub = field.resolve().resolvedType;
    if (sub instanceof protobuf.Type) {
      for (const [i, v] of values.entries()) {
        if (typeof v !== 'object' || v === null) throw new Error(`internal: invalid ModelProto (${where}[${i}]: object expected)`);
        writeMessage(sub, v as Record<string, unknown>, w.uint32(((field.id << 3) | 2) >>> 0).fork(), `${where}[${i}]`).ldelim();
      }
      continue;
    }
    const kind = field.type as keyof typeof protobuf.types.basic;
    const wireType = protobuf.types.basic[kind];
    if (wireType === undefined) throw new Error(`internal: unsupported field type ${field.type} at ${where}`);
    const check = (v: unknown, i: number): void => {
      const ok =
        kind === 'string'
          ? typeof v === 'string'
          : kind === 'bytes'
            ? v instanceof Uint8Array
            : typeof v === 'number' && Number.isFinite(v);
      if (!ok) throw new Error(`internal: invalid ModelProto (${where}${field.repeated ? `[${i}]` : ''}: ${kind} expected)`);
    };
    values.forEach(check);
    const put = (v: unknown): void => void (w[kind as 'int64'] as (x: unknown) => protobuf.Writer).call(w, v);
    if (field.repeated && field.packed && protobuf.types.packed[kind as keyof typeof protobuf.types.packed] !== undefined) {
      w.uint32(((field.id << 3) | 2) >>> 0).fork();
      values.forEach(put);
      w.ldelim();
    } else {
      for (const v of values) {
        w.uint32(((field.id << 3) | wireType) >>> 0);
        put(v);
      }
    }
  }
  return w;
}

/** Serialises a model to the ONNX binary format (no eval: runs under a strict CSP). */
export function encodeModel(model: ModelProto): Uint8Array {
  // In Node protobufjs returns a Buffer, possibly a view of a shared pool: copy to a plain,
  // exclusively owned Uint8Array (transferable, and equal to what browsers get).
  return new Uint8Array(
    writeMessage(ModelProtoType, model as unknown as Record<string, unknown>, protobuf.Writer.create(), 'model').finish(),
  );
}

/**
 * Parses ONNX bytes into a plain object (int64 fields as numbers, bytes as Uint8Array).
 * @throws protobufjs errors on bytes that are not a protobuf message.
 */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const msg = ModelProtoType.decode(bytes);
  return ModelProtoType.toObject(msg, { longs: Number, defaults: false, arrays: true }) as ModelProto;
}
