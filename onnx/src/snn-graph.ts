/**
 * The fixed-point SNN as one ONNX graph: a `Scan` over time whose body is one step of
 * `FixedPointNetwork.step` (the per-op mapping is in snn-arithmetic.ts).
 *
 *   features   int32 [batch, steps, channels]   quantized x_int (the runtime's quantizer)
 *   x          = Clip(Cast(features), 0, 2^30)                  quantizeInput's clamp, again
 *   Scan over axis 1 of x; state per layer l: membrane v_l and spike count c_l, [batch, N_l];
 *   per recurrent layer also its spikes of the previous step r_l (zeros at the start)
 *     I_0 = floor((x·W_0 + 2^(F-1)) / 2^F)         I_l = MatMul(s_{l-1}, W_l) [+ MatMul(r_l, W_rec_l)]
 *     u   = max(0, floor((v·B + 2^(L-1)) / 2^L) + I);  s = u >= θ_i;  c' = c + s
 *     v'  = s ? 0 : u (zero reset)  or  s ? min(u − θ_i, C) : u (subtractive reset; the chip profile's)
 *   output_counts int32 [batch, outputs]   c of the last layer (per output neuron)
 *   layer_spikes  int32 [batch, layers]    Σ c_l per layer
 *   output_spikes uint8 [batch, steps, outputs]   the Scan's per-step output (streaming detector)
 *
 * The time loop is inside the graph (one `run` per batch) rather than a step graph with state
 * inputs: ORT's per-run overhead is paid once per batch, not once per 8 ms step.
 */
import type { FixedPointModel } from '@nwave/runtime';
import { GraphBuilder, valueInfo } from './graph-builder.js';
import { DataType, type GraphProto } from './onnx-proto.js';
import { constant, denseCurrent, elemType, fireAndReset, frontendCurrent, leak, type ArithmeticMode } from './snn-arithmetic.js';

/** Input and output names of the exported graph: the I/O contract of every nwave ONNX file. */
export const GRAPH_IO = {
  features: 'features',
  outputCounts: 'output_counts',
  layerSpikes: 'layer_spikes',
  outputSpikes: 'output_spikes',
} as const;

/** Clamp applied to the integer features (equals the runtime's MAX_INPUT_INT). */
export const MAX_FEATURE_INT = 2 ** 30;

/**
 * Names of the carried-state inputs and outputs of a streaming graph (`carryState`): per layer
 * its membranes, per recurrent layer its last spikes, [batch, N_l] in the arithmetic's type.
 */
export function stateNames(model: FixedPointModel): { inputs: string[]; outputs: string[] } {
  const names = [...model.layers.map((_, i) => `v_${i}`), ...recurrentLayerIndices(model).map((i) => `r_${i}`)];
  return { inputs: names.map((n) => `state_in_${n}`), outputs: names.map((n) => `state_out_${n}`) };
}

export interface SnnGraphOptions {
  /**
   * How the integers are encoded (snn-arithmetic.ts); both are exact and match the runtime.
   * @defaultValue 'float64'
   */
  arithmetic?: ArithmeticMode;
  /**
   * A streaming graph: the membranes and recurrent spikes at the start come from inputs
   * (`state_in_*`, zeros for a fresh stream) and those at the end go to outputs (`state_out_*`),
   * so a long recording runs chunk by chunk with the network never reset. Spike counts are per call.
   * @defaultValue false
   */
  carryState?: boolean;
}

type Options = Required<SnnGraphOptions>;

/** The Scan body: one time step of every layer. */
function stepBody(parent: GraphBuilder, model: FixedPointModel, k: { zero: string }, opts: Options): GraphProto {
  const g = parent.child();
  const mode = opts.arithmetic;
  const layers = model.layers;
  const vIn = layers.map((_, i) => g.fresh(`v_in_${i}`));
  const cIn = layers.map((_, i) => g.fresh(`c_in_${i}`));
  const recurrent = recurrentLayerIndices(model);
  const rIn = new Map(recurrent.map((i) => [i, g.fresh(`r_in_${i}`)]));
  const x = g.fresh('x_t');
  const vOut: string[] = [];
  const cOut: string[] = [];
  const rOut: string[] = [];
  let spikes = '';
  layers.forEach((layer, li) => {
    const prev = rIn.get(li);
    const current =
      li === 0 ? frontendCurrent(g, mode, model, x) : denseCurrent(g, mode, layer, spikes, prev === undefined ? undefined : prev);
    const u = g.node('Max', [g.node('Add', [leak(g, mode, model, layer, vIn[li], li), current]), k.zero]);
    const fired = fireAndReset(g, mode, model, layer, li, u, k.zero, g.fresh(`v_out_${li}`));
    spikes = fired.spikes;
    vOut.push(fired.v);
    cOut.push(g.node('Add', [cIn[li], spikes], {}, g.fresh(`c_out_${li}`)));
    if (prev !== undefined) rOut.push(g.node('Identity', [spikes], {}, g.fresh(`r_out_${li}`)));
  });
  const spikesOut = g.node('Cast', [spikes], { to: DataType.UINT8 }, g.fresh('s_out'));
  const state = (names: string[]) => names.map((n) => valueInfo(n, elemType(mode)));
  return g.graph(
    'snn_step',
    [...state(vIn), ...state(cIn), ...state([...rIn.values()]), valueInfo(x, elemType(mode))],
    [...state(vOut), ...state(cOut), ...state(rOut), valueInfo(spikesOut, DataType.UINT8)],
  );
}

/** Indices of the layers with in-core recurrence (each carries its last spikes as Scan state). */
function recurrentLayerIndices(model: FixedPointModel): number[] {
  return model.layers.flatMap((l, i) => (l.recurrentWeights ? [i] : []));
}

/** Builds the main graph of a compiled fixed-point model (weights as integer-valued initializers). */
export function buildSnnGraph(model: FixedPointModel, name: string, options: SnnGraphOptions = {}): GraphProto {
  const opts: Options = { arithmetic: options.arithmetic ?? 'float64', carryState: options.carryState ?? false };
  const mode = opts.arithmetic;
  const carried = stateNames(model);
  const g = new GraphBuilder(new Set([...Object.values(GRAPH_IO), ...(opts.carryState ? [...carried.inputs, ...carried.outputs] : [])]));
  const layers = model.layers;
  const channels = layers[0].size;
  const outputs = layers[layers.length - 1].size;
  const k = { zero: constant(g, mode, 'zero', [], [0]) };

  const xCast = g.node('Cast', [GRAPH_IO.features], { to: elemType(mode) });
  const x = g.node('Clip', [xCast, k.zero, constant(g, mode, 'max_feature', [], [MAX_FEATURE_INT])]);
  // Initial state: zeros [batch, N_l], batch read from the input so that any batch size works.
  const batch = g.node('Slice', [g.node('Shape', [GRAPH_IO.features]), g.int64('at0', [1], [0]), g.int64('at1', [1], [1])]);
  const zeroValue = { name: 'zero_value', dims: [1], dataType: elemType(mode), rawData: new Uint8Array(8) };
  const init = layers.map((l, i) =>
    g.node('ConstantOfShape', [g.node('Concat', [batch, g.int64(`size_${i}`, [1], [l.size])], { axis: 0 })], { value: zeroValue }),
  );

  const body = stepBody(g, model, k, opts);
  const recurrent = recurrentLayerIndices(model);
  const nState = 2 * layers.length + recurrent.length;
  // Streaming: membranes and recurrent spikes start from the state inputs; counts start at zero.
  const vInit = opts.carryState ? carried.inputs.slice(0, layers.length) : init;
  const rInit = opts.carryState ? carried.inputs.slice(layers.length) : recurrent.map((i) => init[i]);
  const scanOut = g.nodeN('Scan', [...vInit, ...init, ...rInit, x], nState + 1, {
    body,
    num_scan_inputs: 1,
    scan_input_axes: [1],
    scan_output_axes: [1],
  });
  const counts = scanOut.slice(layers.length, 2 * layers.length);
  g.node('Cast', [counts[layers.length - 1]], { to: DataType.INT32 }, GRAPH_IO.outputCounts);
  const totals = counts.map((c) => g.node('ReduceSum', [c, g.int64('axis1', [1], [1])], { keepdims: 1 }));
  const allTotals = totals.length > 1 ? g.node('Concat', totals, { axis: 1 }) : totals[0];
  g.node('Cast', [allTotals], { to: DataType.INT32 }, GRAPH_IO.layerSpikes);
  g.node('Identity', [scanOut[nState]], {}, GRAPH_IO.outputSpikes);
  const stateShape = (i: number) => ['batch', layers[i].size];
  const stateLayer = [...layers.map((_, i) => i), ...recurrent];
  if (opts.carryState) {
    const finals = [...scanOut.slice(0, layers.length), ...scanOut.slice(2 * layers.length, nState)];
    finals.forEach((v, j) => g.node('Identity', [v], {}, carried.outputs[j]));
  }
  const stateIn = opts.carryState ? carried.inputs.map((n, j) => valueInfo(n, elemType(mode), stateShape(stateLayer[j]))) : [];
  const stateOut = opts.carryState ? carried.outputs.map((n, j) => valueInfo(n, elemType(mode), stateShape(stateLayer[j]))) : [];

  return g.graph(
    name,
    [
      valueInfo(
        GRAPH_IO.features,
        DataType.INT32,
        ['batch', 'steps', channels],
        'quantized filterbank features x_int = min(floor(x*2^F + 0.5), 2^30) (x > 0, else 0)',
      ),
      ...stateIn,
    ],
    [
      valueInfo(
        GRAPH_IO.outputCounts,
        DataType.INT32,
        ['batch', outputs],
        'spike count per output neuron over the sequence (labels x population)',
      ),
      valueInfo(GRAPH_IO.layerSpikes, DataType.INT32, ['batch', layers.length], 'total spikes per layer over the sequence'),
      valueInfo(GRAPH_IO.outputSpikes, DataType.UINT8, ['batch', 'steps', outputs], 'output layer spikes per step (0/1)'),
      ...stateOut,
    ],
  );
}
