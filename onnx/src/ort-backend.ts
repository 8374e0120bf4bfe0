/**
 * The `onnx` backend: the exported graph run by onnxruntime-web (WASM CPU provider; in Node the
 * same WASM build runs). Importing this module registers it under the name `onnx`.
 */
import * as ort from 'onnxruntime-web';
import {
  checkBatch,
  InvalidArgumentError,
  registerBackend,
  StateError,
  type ClipBatch,
  type ClipBatchResult,
  type NwaveModel,
  type RunOptions,
  type SessionOptions,
  type SnnBackend,
  type SnnSession,
  type SnnStream,
} from '@nwave/runtime';
import { exportOnnx } from './export.js';
import { GraphBuilder, valueInfo } from './graph-builder.js';
import { readOnnxMetadata } from './metadata.js';
import { DataType, encodeModel } from './onnx-proto.js';
import type { ArithmeticMode } from './snn-arithmetic.js';
import { GRAPH_IO, stateNames } from './snn-graph.js';
import { elemType } from './snn-arithmetic.js';

/** Settings applied to `ort.env` when the backend initialises (change them before the first `resolveBackend`). */
export interface OnnxBackendOptions {
  /**
   * WASM threads. One by default: the graph is a long chain of small ops that threads do not
   * speed up, the JS backend is single-threaded too, and these machines are shared.
   * @defaultValue 1
   */
  numThreads: number;
  /**
   * Where the `.wasm` (and, for non-bundle builds, `.mjs`) files are served from: a URL prefix, or
   * `{ wasm: url }` as a bundler gives it (the renderer passes Vite's `?url` of
   * `onnxruntime-web/ort-wasm-simd-threaded.wasm`). ORT's default otherwise.
   */
  wasmPaths?: ort.Env.WasmPrefixOrFilePaths;
  /**
   * Encoding of the graphs the backend exports itself (sessions given `modelBytes` run those as they are).
   * @defaultValue 'float64'
   */
  arithmetic: ArithmeticMode;
}

/** Live settings of the `onnx` backend. */
export const onnxBackendOptions: OnnxBackendOptions = { numThreads: 1, arithmetic: 'float64' };

/** A one-node model run at init, so an unavailable WASM fails in `resolveBackend`, not mid-run. */
function probeModel(): Uint8Array {
  const g = new GraphBuilder(new Set(['x']));
  g.node('Identity', ['x'], {}, 'y');
  const graph = g.graph('probe', [valueInfo('x', DataType.INT32, [1])], [valueInfo('y', DataType.INT32, [1])]);
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'nwave-ts',
    producerVersion: '0',
    domain: '',
    modelVersion: 1,
    docString: '',
    graph,
    metadataProps: [],
  });
}

/** Copies a tensor's data into a buffer of its own, so callers can transfer it to another thread. */
function own<T extends Int32Array | Uint8Array>(data: T): T {
  return data.byteOffset === 0 && data.buffer.byteLength === data.byteLength ? data : (data.slice() as T);
}

class OrtSession implements SnnSession {
  readonly backend = 'onnx';
  readonly channels: number;
  readonly outputs: number;
  readonly layers: readonly string[];
  private session: ort.InferenceSession | undefined;
  /** ORT's WASM sessions take one run at a time: queue them. */
  private queue: Promise<unknown> = Promise.resolve();

  /** The streaming graph (`carryState`), built on the first `openStream`. */
  private streamSession: Promise<ort.InferenceSession> | undefined;
  private readonly model: NwaveModel;
  private readonly fromCheckpoint: boolean;

  constructor(session: ort.InferenceSession, model: NwaveModel, fromCheckpoint: boolean) {
    this.session = session;
    this.model = model;
    this.fromCheckpoint = fromCheckpoint;
    const layers = model.fixedPoint.layers;
    this.channels = layers[0].size;
    this.outputs = layers[layers.length - 1].size;
    this.layers = layers.map((l) => l.name);
  }

  runClips(batch: ClipBatch, opts: RunOptions = {}): Promise<ClipBatchResult> {
    const run = this.queue.then(() => this.runNow(batch, opts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async runNow(batch: ClipBatch, opts: RunOptions): Promise<ClipBatchResult> {
    const session = this.session;
    if (!session) throw new StateError('onnx session used after dispose()');
    const problem = checkBatch(this, batch);
    if (problem) throw new InvalidArgumentError(`runClips: ${problem}`, { field: 'batch' });
    const { batch: b, steps, channels } = batch;
    if (b === 0 || steps === 0) {
      // Nothing to simulate; answer without asking ORT about empty dimensions.
      const empty = { outputCounts: new Int32Array(b * this.outputs), layerSpikes: new Int32Array(b * this.layers.length) };
      return opts.outputSpikes ? { ...empty, outputSpikes: new Uint8Array(0) } : empty;
    }
    const fetches: string[] = [GRAPH_IO.outputCounts, GRAPH_IO.layerSpikes, ...(opts.outputSpikes ? [GRAPH_IO.outputSpikes] : [])];
    const input = new ort.Tensor('int32', batch.features, [b, steps, channels]);
    const out = await session.run({ [GRAPH_IO.features]: input }, fetches);
    const outputCounts = own(out[GRAPH_IO.outputCounts].data as Int32Array);
    const layerSpikes = own(out[GRAPH_IO.layerSpikes].data as Int32Array);
    const outputSpikes = opts.outputSpikes ? own(out[GRAPH_IO.outputSpikes].data as Uint8Array) : undefined;
    for (const t of Object.values(out)) t.dispose();
    return outputSpikes ? { outputCounts, layerSpikes, outputSpikes } : { outputCounts, layerSpikes };
  }

  /**
   * Streams through the `carryState` form of the graph: each run starts from the membranes and
   * recurrent spikes the previous run ended with (zeros at first), so chunk after chunk gives
   * the spikes of one run over the whole recording. Sessions made from given `modelBytes` have
   * no streaming form (a file exported for other tools): they run recordings whole.
   */
  async openStream(): Promise<SnnStream> {
    if (!this.session) throw new StateError('onnx session used after dispose()');
    if (!this.fromCheckpoint) throw new InvalidArgumentError('onnx sessions made from modelBytes cannot stream', { field: 'modelBytes' });
    const bytes = () =>
      exportOnnx(this.model.checkpoint, {
        allowViolations: true,
        source: this.model.checkpoint.name,
        arithmetic: onnxBackendOptions.arithmetic,
        carryState: true,
      }).bytes;
    this.streamSession ??= ort.InferenceSession.create(bytes(), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    const session = await this.streamSession;
    const names = stateNames(this.model.fixedPoint);
    const layers = this.model.fixedPoint.layers;
    const sizes = [...layers.map((l) => l.size), ...layers.flatMap((l) => (l.recurrentWeights ? [l.size] : []))];
    const float = elemType(onnxBackendOptions.arithmetic) === DataType.DOUBLE;
    let state: ort.Tensor[] = sizes.map((n) =>
      float ? new ort.Tensor('float64', new Float64Array(n), [1, n]) : new ort.Tensor('int64', new BigInt64Array(n), [1, n]),
    );
    const fetches = [GRAPH_IO.outputCounts, GRAPH_IO.layerSpikes, GRAPH_IO.outputSpikes, ...names.outputs];
    const { channels, outputs } = this;
    const runNow = async (features: Int32Array, steps: number) => {
      if (!this.session) throw new StateError('onnx session used after dispose()');
      if (features.length !== steps * channels)
        throw new InvalidArgumentError(`stream run: ${features.length} features is not ${steps} steps x ${channels} channels`, {
          field: 'features',
        });
      if (steps === 0)
        return { outputSpikes: new Uint8Array(0), layerSpikes: new Int32Array(this.layers.length), outputCounts: new Int32Array(outputs) };
      const feeds: Record<string, ort.Tensor> = { [GRAPH_IO.features]: new ort.Tensor('int32', features, [1, steps, channels]) };
      names.inputs.forEach((n, i) => (feeds[n] = state[i]));
      const out = await session.run(feeds, fetches);
      const result = {
        outputCounts: own(out[GRAPH_IO.outputCounts].data as Int32Array),
        layerSpikes: own(out[GRAPH_IO.layerSpikes].data as Int32Array),
        outputSpikes: own(out[GRAPH_IO.outputSpikes].data as Uint8Array),
      };
      for (const t of state) t.dispose();
      state = names.outputs.map((n) => out[n]);
      for (const [k, t] of Object.entries(out)) if (!names.outputs.includes(k)) t.dispose();
      return result;
    };
    return {
      run: (features, steps) => {
        const run = this.queue.then(() => runNow(features, steps));
        this.queue = run.catch(() => undefined);
        return run;
      },
      close: async () => {
        for (const t of state) t.dispose();
        state = [];
      },
    };
  }

  async dispose(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    await this.queue;
    await s?.release();
    const stream = this.streamSession;
    this.streamSession = undefined;
    await (await stream?.catch(() => undefined))?.release();
  }
}

/** Refuses an `.onnx` file made from another model than the one the session is for. */
function checkBytesMatch(bytes: Uint8Array, model: NwaveModel): void {
  const { metadata } = readOnnxMetadata(bytes, 'modelBytes');
  const sizes = (xs: readonly { size: number }[]) => xs.map((l) => l.size).join('-');
  if (metadata.labels.join('\n') !== model.labels.join('\n') || sizes(metadata.layers) !== sizes(model.fixedPoint.layers)) {
    throw new InvalidArgumentError(
      `modelBytes is "${metadata.name}" (${sizes(metadata.layers)}, labels ${metadata.labels.join(',')}), not "${model.checkpoint.name}" (${sizes(model.fixedPoint.layers)}, labels ${model.labels.join(',')})`,
      { field: 'modelBytes' },
    );
  }
}

/** The onnxruntime-web backend. */
export const onnxBackend: SnnBackend = {
  async init() {
    ort.env.wasm.numThreads = onnxBackendOptions.numThreads;
    if (onnxBackendOptions.wasmPaths) ort.env.wasm.wasmPaths = onnxBackendOptions.wasmPaths;
    const probe = await ort.InferenceSession.create(probeModel(), { executionProviders: ['wasm'] });
    await probe.run({ x: new ort.Tensor('int32', Int32Array.of(1), [1]) });
    await probe.release();
  },
  async createSession(model: NwaveModel, opts: SessionOptions = {}) {
    // The session is for running, not for programming a chip: non-compliant models run here as they do in the js backend.
    const bytes =
      opts.modelBytes ??
      exportOnnx(model.checkpoint, { allowViolations: true, source: model.checkpoint.name, arithmetic: onnxBackendOptions.arithmetic })
        .bytes;
    if (opts.modelBytes) checkBytesMatch(bytes, model);
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    return new OrtSession(session, model, !opts.modelBytes);
  },
};

registerBackend('onnx', onnxBackend, 5);
