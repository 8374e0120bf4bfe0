/**
 * Live feature extraction at any input rate: resample to the model's rate (only when the rates
 * differ), then the streaming filterbank. A 44.1/48 kHz microphone thus feeds a 16 kHz model
 * the same features the model was trained on (training runs the filterbank at the model rate).
 */
import { InvalidArgumentError } from '../errors.js';
import { type FeatureMatrix, type FilterbankConfig, type FrameCallback, StreamingFilterbank } from './filterbank.js';
import { type ResamplerOptions, StreamingResampler } from './resample.js';
import { type AudioChunk, assertAudioChunk } from './samples.js';

/** Settings of a {@link FeatureExtractor}. */
export interface FeatureExtractorOptions {
  /** The model's filterbank, at the model's sample rate. */
  filterbank: FilterbankConfig;
  /** Rate of the audio that will be pushed, Hz (e.g. the AudioContext's 48000). */
  inputSampleRateHz: number;
  /** Resampler design, used only when the rates differ. */
  resampler?: ResamplerOptions;
}

/**
 * Input audio (any rate) → feature frames at the model's rate. Same `push`/`reset` contract as
 * {@link StreamingFilterbank}: chunks of any length, a reused `frame` buffer (copy it to keep
 * it), results independent of the chunking.
 *
 * Frames are time-aligned with the input: frame t covers input time [t, t+1) · binS. With a
 * resampler, frame t is emitted only once `latencyInputSamples` more input has arrived.
 */
export class FeatureExtractor {
  readonly inputSampleRateHz: number;
  private readonly filterbank: StreamingFilterbank;
  private readonly resampler: StreamingResampler | null;

  constructor(opts: FeatureExtractorOptions) {
    const rate = opts.inputSampleRateHz;
    if (!Number.isInteger(rate) || rate <= 0) {
      throw new InvalidArgumentError(`input sample rate must be a positive whole number of Hz, got ${rate}`, {
        field: 'inputSampleRateHz',
        value: rate,
      });
    }
    this.inputSampleRateHz = rate;
    this.filterbank = new StreamingFilterbank(opts.filterbank);
    const modelRate = this.filterbank.sampleRateHz;
    this.resampler = rate === modelRate ? null : new StreamingResampler(rate, modelRate, opts.resampler);
  }

  /** Number of feature channels C. */
  get channelCount(): number {
    return this.filterbank.channelCount;
  }
  /** Model-rate samples per frame. */
  get binSamples(): number {
    return this.filterbank.binSamples;
  }
  /** The model's (filterbank's) sample rate, Hz. */
  get sampleRateHz(): number {
    return this.filterbank.sampleRateHz;
  }
  /** Frames emitted since construction or the last `reset()`. */
  get framesEmitted(): number {
    return this.filterbank.framesEmitted;
  }
  /** Extra delay the resampler adds before a frame can be emitted, in input samples (0 without one). */
  get latencyInputSamples(): number {
    return this.resampler?.latencyInputSamples ?? 0;
  }
  /** True when input is resampled before the filterbank. */
  get resamples(): boolean {
    return this.resampler !== null;
  }

  /** Starts a new stream: clears resampler history, filter state and the partial bin. */
  reset(): void {
    this.resampler?.reset();
    this.filterbank.reset();
  }

  /**
   * Feeds input-rate audio (any length; Int16 scaled by 1/32768) and calls `onFrame` for every
   * completed frame. See {@link FrameCallback}: `frame` is reused.
   */
  push(chunk: AudioChunk, onFrame: FrameCallback): void {
    assertAudioChunk(chunk, 'chunk');
    if (this.resampler === null) {
      this.filterbank.push(chunk, onFrame);
    } else {
      this.filterbank.push(this.resampler.push(chunk), onFrame);
    }
  }

  /**
   * Ends the stream: feeds the resampler's held-back look-ahead (padded with silence) through the
   * filterbank, so every frame fully covered by the input pushed so far is emitted, then resets.
   * Frames are emitted only for whole bins; the last partial bin is dropped.
   */
  flush(onFrame: FrameCallback): void {
    if (this.resampler !== null) this.filterbank.push(this.resampler.flush(), onFrame);
    this.reset();
  }
}

/**
 * Features of a whole clip recorded at `inputSampleRateHz`: resample to the model rate (whole-clip,
 * output length `round(n · modelRate / inputRate)`), then `floor(length / binSamples)` frames.
 * Equal to what the trainer computes for the same audio stored at the model rate, up to resampling.
 */
export function extractClipFeatures(samples: AudioChunk, opts: FeatureExtractorOptions): FeatureMatrix {
  const fx = new FeatureExtractor(opts);
  const channels = fx.channelCount;
  const modelRate = fx.sampleRateHz;
  const n = Math.round((samples.length * modelRate) / opts.inputSampleRateHz);
  const frames = Math.floor(n / fx.binSamples);
  const data = new Float32Array(frames * channels);
  const store: FrameCallback = (frame, t) => {
    if (t < frames) data.set(frame, t * channels);
  };
  fx.push(samples, store);
  fx.flush(store);
  return { data, frames, channels };
}
