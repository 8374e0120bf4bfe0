/**
 * The `js` backend: the hand-written `FixedPointNetwork`, clip after clip, behind the async
 * backend contract. It is the reference every other backend must match bit for bit.
 */
import { InvalidArgumentError, StateError } from '../errors.js';
import type { NwaveModel } from '../engine/nwave-model.js';
import { FixedPointNetwork } from '../snn/fixed-point-network.js';
import {
  checkBatch,
  type ClipBatch,
  type ClipBatchResult,
  type RunOptions,
  type SnnBackend,
  type SnnSession,
  type SnnStream,
} from './snn-backend.js';

class JsSession implements SnnSession {
  readonly backend = 'js';
  readonly channels: number;
  readonly outputs: number;
  readonly layers: readonly string[];
  private net: FixedPointNetwork | undefined;

  constructor(model: NwaveModel) {
    this.net = model.createNetwork();
    this.channels = this.net.inputSize;
    this.layers = model.fixedPoint.layers.map((l) => l.name);
    this.outputs = model.fixedPoint.layers[this.layers.length - 1].size;
  }

  async runClips(batch: ClipBatch, opts: RunOptions = {}): Promise<ClipBatchResult> {
    const net = this.net;
    if (!net) throw new StateError('js session used after dispose()');
    const problem = checkBatch(this, batch);
    if (problem) throw new InvalidArgumentError(`runClips: ${problem}`, { field: 'batch' });
    const { features, batch: nClips, steps, channels } = batch;
    const nLayers = this.layers.length;
    const last = nLayers - 1;
    const outputs = this.outputs;
    const outputCounts = new Int32Array(nClips * outputs);
    const layerSpikes = new Int32Array(nClips * nLayers);
    const outputSpikes = opts.outputSpikes ? new Uint8Array(nClips * steps * outputs) : undefined;
    // x_int / 2^F is exact in float64, and step() maps it back with floor(x_int + 0.5) = x_int
    // (negatives to 0, above 2^30 clamped): the network sees exactly the batch's integers.
    const inv = 2 ** -net.model.inputFracBits;
    const frame = new Float64Array(channels);
    for (let b = 0; b < nClips; b++) {
      net.reset();
      for (let t = 0; t < steps; t++) {
        const base = (b * steps + t) * channels;
        for (let c = 0; c < channels; c++) frame[c] = features[base + c] * inv;
        net.step(frame);
        for (let l = 0; l < nLayers; l++) layerSpikes[b * nLayers + l] += net.spikeCounts[l];
        const n = net.spikeCounts[last];
        const act = net.active[last];
        for (let k = 0; k < n; k++) {
          outputCounts[b * outputs + act[k]]++;
          if (outputSpikes) outputSpikes[(b * steps + t) * outputs + act[k]] = 1;
        }
      }
    }
    return outputSpikes ? { outputCounts, layerSpikes, outputSpikes } : { outputCounts, layerSpikes };
  }

  async openStream(): Promise<SnnStream> {
    if (!this.net) throw new StateError('js session used after dispose()');
    // A network of its own: clips run on this session meanwhile do not disturb the stream.
    const net = new FixedPointNetwork(this.net.model);
    const { channels, outputs } = this;
    const nLayers = this.layers.length;
    const inv = 2 ** -net.model.inputFracBits;
    const frame = new Float64Array(channels);
    return {
      run: async (features, steps) => {
        if (features.length !== steps * channels)
          throw new InvalidArgumentError(`stream run: ${features.length} features is not ${steps} steps x ${channels} channels`, {
            field: 'features',
          });
        const outputSpikes = new Uint8Array(steps * outputs);
        const layerSpikes = new Int32Array(nLayers);
        const outputCounts = new Int32Array(outputs);
        for (let t = 0; t < steps; t++) {
          for (let c = 0; c < channels; c++) frame[c] = features[t * channels + c] * inv;
          net.step(frame);
          for (let l = 0; l < nLayers; l++) layerSpikes[l] += net.spikeCounts[l];
          const act = net.active[nLayers - 1];
          for (let k = 0; k < net.spikeCounts[nLayers - 1]; k++) {
            outputCounts[act[k]]++;
            outputSpikes[t * outputs + act[k]] = 1;
          }
        }
        return { outputSpikes, layerSpikes, outputCounts };
      },
      close: async () => {},
    };
  }

  async dispose(): Promise<void> {
    this.net = undefined;
  }
}

/** The built-in fixed-point backend (registered as `js` by the registry). */
export const jsBackend: SnnBackend = {
  init: async () => {},
  createSession: async (model) => new JsSession(model),
};
