/**
 * Capture AudioWorklet: copies the first input channel into chunks of `chunkFrames` samples and
 * posts each (transferring its buffer) to the engine worker's port. No DSP on the audio thread
 * (as Picovoice's recorder_processor). 512 frames = 10.7 ms at 48 kHz.
 */
interface ProcessorOptions {
  processorOptions?: { chunkFrames?: number };
}
declare const AudioWorkletProcessor: { new (options?: ProcessorOptions): { readonly port: MessagePort } };
declare function registerProcessor(name: string, ctor: unknown): void;

class CaptureProcessor extends AudioWorkletProcessor {
  private target: MessagePort | null = null;
  private readonly size: number;
  private buf: Float32Array;
  private filled = 0;

  constructor(options?: ProcessorOptions) {
    super(options);
    this.size = options?.processorOptions?.chunkFrames ?? 512;
    this.buf = new Float32Array(this.size);
    this.port.onmessage = (e: MessageEvent<{ port?: MessagePort }>) => {
      if (e.data.port) this.target = e.data.port;
    };
  }

  process(inputs: Float32Array[][]): boolean {
    const ch = inputs[0]?.[0];
    if (!ch || !this.target) return true;
    let i = 0;
    while (i < ch.length) {
      const n = Math.min(ch.length - i, this.buf.length - this.filled);
      this.buf.set(ch.subarray(i, i + n), this.filled);
      this.filled += n;
      i += n;
      if (this.filled === this.buf.length) {
        const full = this.buf;
        this.target.postMessage({ samples: full }, [full.buffer]);
        this.buf = new Float32Array(this.size); // `full` is detached now: its length reads 0
        this.filled = 0;
      }
    }
    return true;
  }
}

registerProcessor('nwave-capture', CaptureProcessor);
