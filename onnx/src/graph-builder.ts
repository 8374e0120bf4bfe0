/**
 * A tiny builder for ONNX graphs: unique value names, typed constants, nodes with attributes.
 * Only what the SNN graph needs; every helper returns the output value's name so that graph code
 * reads as a chain of operations.
 */
import {
  AttributeType,
  DataType,
  type AttributeProto,
  type DataTypeCode,
  type Dim,
  type GraphProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './onnx-proto.js';

type AttrValue = number | number[] | string | TensorProto | GraphProto;

/** Little-endian bytes of a typed array (ONNX `raw_data` is little-endian on every platform). */
function leBytes(data: Int32Array | BigInt64Array | Float64Array | Uint8Array): Uint8Array {
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof BigInt64Array) view.setBigInt64(i * 8, data[i], true);
    else if (data instanceof Float64Array) view.setFloat64(i * 8, data[i], true);
    else if (data instanceof Int32Array) view.setInt32(i * 4, data[i], true);
    else out[i] = data[i];
  }
  return out;
}

/**
 * An int64 tensor. Numbers must be safe integers (checked: a silent rounding would break parity);
 * pass bigints for constants beyond 2^53.
 */
export function int64Tensor(name: string, dims: number[], values: ArrayLike<number> | readonly bigint[]): TensorProto {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new Error(`internal: ${name}[${i}] = ${v} is not a safe integer`);
    data[i] = BigInt(v);
  }
  return { name, dims, dataType: DataType.INT64, rawData: leBytes(data) };
}

/** A float64 tensor (used only by the float64-compatible leak, see snn-graph.ts). */
export function doubleTensor(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  return { name, dims, dataType: DataType.DOUBLE, rawData: leBytes(Float64Array.from(values)) };
}

/** A tensor value description with optional symbolic dimensions. */
export function valueInfo(name: string, elemType: DataTypeCode, dims?: Dim[], docString?: string): ValueInfoProto {
  const shape = dims && { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name, type: { tensorType: { elemType, ...(shape ? { shape } : {}) } }, ...(docString ? { docString } : {}) };
}

function attribute(name: string, v: AttrValue): AttributeProto {
  if (typeof v === 'number') return { name, type: AttributeType.INT, i: v };
  if (Array.isArray(v)) return { name, type: AttributeType.INTS, ints: v };
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
  if ('node' in v) return { name, type: AttributeType.GRAPH, g: v };
  return { name, type: AttributeType.TENSOR, t: v };
}

/** Collects the nodes and initializers of one graph (the main graph or a Scan body). */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used: Set<string>;

  /** @param used names already taken (shared with sub-graphs: ONNX names must be unique across scopes). */
  constructor(used: Set<string> = new Set()) {
    this.used = used;
  }

  /** A new unique value name with a readable prefix. */
  fresh(prefix: string): string {
    let name = prefix;
    for (let k = 1; this.used.has(name); k++) name = `${prefix}_${k}`;
    this.used.add(name);
    return name;
  }

  /** A sub-graph builder sharing this builder's name space. */
  child(): GraphBuilder {
    return new GraphBuilder(this.used);
  }

  /** Adds an int64 constant (initializer) and returns its name. */
  int64(prefix: string, dims: number[], values: ArrayLike<number> | readonly bigint[]): string {
    const name = this.fresh(prefix);
    this.initializers.push(int64Tensor(name, dims, values));
    return name;
  }

  /** Adds a float64 constant (initializer) and returns its name. */
  double(prefix: string, dims: number[], values: ArrayLike<number>): string {
    const name = this.fresh(prefix);
    this.initializers.push(doubleTensor(name, dims, values));
    return name;
  }

  /**
   * Adds a node and returns its output names.
   * @param outputs output names to use (fresh ones derived from the op are made otherwise).
   */
  nodeN(opType: string, inputs: string[], nOut: number, attrs: Record<string, AttrValue> = {}, outputs?: string[]): string[] {
    const out = outputs ?? Array.from({ length: nOut }, () => this.fresh(opType.toLowerCase()));
    for (const o of outputs ?? []) this.used.add(o);
    const list = Object.entries(attrs).map(([k, v]) => attribute(k, v));
    this.nodes.push({ input: inputs, output: out, name: this.fresh(`n_${opType}`), opType, ...(list.length ? { attribute: list } : {}) });
    return out;
  }

  /** Adds a single-output node and returns its output name. */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    return this.nodeN(opType, inputs, 1, attrs, output ? [output] : undefined)[0];
  }

  /** Builds the GraphProto of this builder. */
  graph(name: string, input: ValueInfoProto[], output: ValueInfoProto[], docString?: string): GraphProto {
    return { name, node: this.nodes, initializer: this.initializers, input, output, ...(docString ? { docString } : {}) };
  }
}
