/**
 * The audio graph: microphone or file -> capture worklet -> (MessagePort) -> engine worker.
 * One source at a time; switching sources starts a new stream (the engine resets). Files are
 * also played to the speakers so the user hears what the model hears.
 */
import captureProcessorUrl from './capture-processor.ts?worker&url';
import type { EngineClient } from '../engine/engine-client.js';
import { micError, micSupported } from './mic-errors.js';

export type SourceKind = 'idle' | 'mic' | 'file';

export interface AudioEngineOptions {
  /** Samples per chunk posted by the worklet. @defaultValue 512 */
  chunkFrames?: number;
}

export class AudioEngine {
  private ctx: AudioContext | null = null;
  private capture: AudioWorkletNode | null = null;
  private micStream: MediaStream | null = null;
  private micSource: MediaStreamAudioSourceNode | null = null;
  private fileSource: AudioBufferSourceNode | null = null;
  private endPlayback: (() => void) | null = null;
  private kind: SourceKind = 'idle';

  constructor(
    private readonly engine: EngineClient,
    private readonly opts: AudioEngineOptions = {},
  ) {}

  get source(): SourceKind {
    return this.kind;
  }

  get sampleRateHz(): number {
    return this.ctx?.sampleRate ?? 0;
  }

  /** Creates the AudioContext and worklet on first use (must follow a user gesture). */
  private async ensureGraph(): Promise<AudioContext> {
    if (!this.ctx) {
      const ctx = new AudioContext({ latencyHint: 'interactive' });
      await ctx.audioWorklet.addModule(captureProcessorUrl);
      const node = new AudioWorkletNode(ctx, 'nwave-capture', {
        numberOfInputs: 1,
        numberOfOutputs: 0,
        channelCount: 1,
        channelCountMode: 'explicit',
        processorOptions: { chunkFrames: this.opts.chunkFrames ?? 512 },
      });
      const channel = new MessageChannel();
      node.port.postMessage({ port: channel.port1 }, [channel.port1]);
      this.engine.connectAudio(channel.port2, ctx.sampleRate);
      this.ctx = ctx;
      this.capture = node;
    }
    if (this.ctx.state !== 'running') await this.ctx.resume();
    return this.ctx;
  }

  /** Audio inputs (labels appear once permission was granted). */
  async listInputs(): Promise<MediaDeviceInfo[]> {
    if (!micSupported()) return [];
    return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audioinput');
  }

  /** @throws DeviceError with an actionable message */
  async startMic(deviceId: string, deviceLabel?: string): Promise<void> {
    if (!micSupported()) throw micError({ name: 'SecurityError' }, deviceLabel);
    const ctx = await this.ensureGraph();
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: {
          deviceId: deviceId ? { exact: deviceId } : undefined,
          echoCancellation: false,
          noiseSuppression: false,
          autoGainControl: false,
          channelCount: 1,
        },
      });
    } catch (err) {
      throw micError(err, deviceLabel);
    }
    this.stop();
    this.micStream = stream;
    this.micSource = ctx.createMediaStreamSource(stream);
    this.engine.reset();
    this.micSource.connect(this.capture!);
    this.kind = 'mic';
    stream.getAudioTracks()[0]?.addEventListener('ended', () => this.stop());
  }

  /** Plays mono samples to the speakers and the engine; resolves when playback ends or stops. */
  async playSamples(samples: Float32Array, sampleRateHz: number): Promise<void> {
    const ctx = await this.ensureGraph();
    this.stop();
    const buffer = ctx.createBuffer(1, samples.length, sampleRateHz);
    buffer.copyToChannel(samples as Float32Array<ArrayBuffer>, 0);
    const src = ctx.createBufferSource();
    src.buffer = buffer;
    src.connect(ctx.destination);
    src.connect(this.capture!);
    this.engine.reset();
    this.fileSource = src;
    this.kind = 'file';
    const ended = new Promise<void>((resolve) => (this.endPlayback = resolve));
    src.onended = () => {
      if (this.fileSource === src) this.stop();
    };
    src.start();
    await ended;
  }

  /** Stops the current source (the graph stays up for the next one). */
  stop(): void {
    if (this.fileSource) {
      const f = this.fileSource;
      this.fileSource = null;
      f.onended = null;
      try {
        f.stop();
      } catch {
        // already stopped
      }
      f.disconnect();
    }
    const end = this.endPlayback;
    this.endPlayback = null;
    end?.();
    this.micSource?.disconnect();
    this.micSource = null;
    for (const t of this.micStream?.getTracks() ?? []) t.stop();
    this.micStream = null;
    this.kind = 'idle';
  }
}
