/**
 * The backend contract: what the detector, the CLI and the app need from "something that runs the
 * fixed-point network over whole clips". Modelled on onnxruntime-web's internal `Backend`
 * (`init()` once, then one session handler per model with `run()` and `dispose()`).
 *
 * Every array crossing this boundary is a plain typed array, so a renderer can post a batch to a
 * worker and back with the buffers as transferables. Sessions are asynchronous because a backend
 * may run in WASM, a worker or a GPU; the JS backend simply resolves immediately.
 */
import type { NwaveModel } from '../engine/nwave-model.js';

/**
 * A batch of clips, all with the same number of steps. Features are the *quantized* integers
 * `x_int = min(floor(x·2^F + 0.5), 2^30)` (0 when x <= 0 or NaN) made by `quantizeFeatures`, so
 * every backend sees bit-identical input whatever float type the filterbank produced.
 */
export interface ClipBatch {
  /** x_int, row-major [batch][steps][channels]. */
  readonly features: Int32Array;
  readonly batch: number;
  readonly steps: number;
  readonly channels: number;
}

/** Spike counts of a batch. */
export interface ClipBatchResult {
  /** Spike count per output neuron, row-major [batch][outputs] (a label's population is summed later, by `classifyClips`). */
  readonly outputCounts: Int32Array;
  /** Total spikes per layer (frontend first), row-major [batch][layers]. */
  readonly layerSpikes: Int32Array;
  /** Output layer spikes per step (0/1), [batch][steps][outputs]; only with `outputSpikes: true`. */
  readonly outputSpikes?: Uint8Array;
}

export interface RunOptions {
  /**
   * Also return the output layer's spike raster (needed by the streaming detector).
   * @defaultValue false
   */
  outputSpikes?: boolean;
}

/** One model loaded on one backend. */
export interface SnnSession {
  /** Name of the backend that runs it (`js`, `onnx`...). */
  readonly backend: string;
  /** Filterbank channels expected per step. */
  readonly channels: number;
  /** Output neurons (labels x output population). */
  readonly outputs: number;
  /** Layer names, frontend first (order of `layerSpikes`). */
  readonly layers: readonly string[];
  /**
   * Runs every clip of the batch from rest (membranes zero at the start of each clip).
   * @throws InvalidArgumentError when the batch shape does not match the model.
   */
  runClips(batch: ClipBatch, opts?: RunOptions): Promise<ClipBatchResult>;
  /**
   * A stream over many calls, the network never reset between them (long recordings chunk by
   * chunk, memory flat in their length). Optional: backends without it run a recording in one
   * `runClips` call.
   */
  openStream?(): Promise<SnnStream>;
  /** Frees native resources; the session is unusable afterwards. */
  dispose(): Promise<void>;
}

/** One chunk of a stream's run (batch of one). */
export interface StreamChunkResult {
  /** Output layer spikes per step (0/1), [steps][outputs]. */
  readonly outputSpikes: Uint8Array;
  /** Spikes per layer over this chunk, frontend first. */
  readonly layerSpikes: Int32Array;
  /** Spike count per output neuron over this chunk. */
  readonly outputCounts: Int32Array;
}

/** A network state carried from one chunk of quantized features to the next (see `SnnSession.openStream`). */
export interface SnnStream {
  /** Runs `steps` more steps: `features` are x_int [steps][channels] (see {@link ClipBatch}). */
  run(features: Int32Array, steps: number): Promise<StreamChunkResult>;
  /** Frees what the stream holds. */
  close(): Promise<void>;
}

export interface SessionOptions {
  /**
   * A model file already converted for this backend (e.g. the bytes of an `.onnx` export).
   * Backends that convert the checkpoint themselves ignore it.
   */
  modelBytes?: Uint8Array;
}

/** A registered backend. `init` is called once, lazily, by `resolveBackend`. */
export interface SnnBackend {
  /** Loads what the backend needs (e.g. a WASM binary); rejects when unavailable here. */
  init(): Promise<void>;
  /** Loads one model. */
  createSession(model: NwaveModel, opts?: SessionOptions): Promise<SnnSession>;
}

/** Checks a batch against a session's model shape (shared by every backend). */
export function checkBatch(session: Pick<SnnSession, 'channels'>, batch: ClipBatch): string | undefined {
  const { features, batch: b, steps, channels } = batch;
  if (!(features instanceof Int32Array)) return 'features must be an Int32Array of quantized features (see quantizeFeatures)';
  if (![b, steps, channels].every((n) => Number.isInteger(n) && n >= 0))
    return `batch, steps and channels must be non-negative integers (got ${b}, ${steps}, ${channels})`;
  if (channels !== session.channels) return `the model takes ${session.channels} channels, the batch has ${channels}`;
  if (features.length !== b * steps * channels)
    return `features has ${features.length} values, expected batch x steps x channels = ${b * steps * channels}`;
  return undefined;
}
