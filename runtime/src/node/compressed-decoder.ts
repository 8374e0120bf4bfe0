/// <reference types="node" />
/**
 * The WASM decoders of FLAC, MP3 and OGG/Vorbis (`@wasm-audio-decoders/flac`,
 * `@wasm-audio-decoders/ogg-vorbis`, `mpg123-decoder`), two ways:
 *
 * - in this thread ({@link openDecoder}): their streaming API, `decode(chunk)` then `flush()`,
 *   for the async readers;
 * - in a helper worker thread the caller blocks on ({@link SyncDecoderWorker}), for the
 *   synchronous data pipelines (trainer, eval): whole files, or the same streaming sessions.
 *   The decoders' API is promise-based, their work is not, so the wait is the decode time plus
 *   a message.
 *
 * Only the decoders live here; what their output means (checks, mono mix, FLAC scaling) is in
 * audio-file.ts and audio-stream.ts, shared by both ways.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

/** Compressed containers the decoders read. */
export type CompressedContainer = 'flac' | 'mp3' | 'ogg-vorbis';

/** What the WASM decoders return (common to the three packages). */
export interface RawDecoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  bitDepth?: number;
  errors: { message: string }[];
}

/** One decoding session: chunks in, PCM out; `flush` ends the stream. */
export interface DecoderSession {
  decode(bytes: Uint8Array): Promise<RawDecoded>;
  flush(): Promise<RawDecoded>;
  free(): void;
}

const EMPTY: RawDecoded = { channelData: [], samplesDecoded: 0, sampleRate: 0, errors: [] };

/** A fresh in-thread decoder for `container` (no state shared with other files). */
export async function openDecoder(container: CompressedContainer): Promise<DecoderSession> {
  if (container === 'mp3') {
    const { MPEGDecoder } = await import('mpg123-decoder');
    const d = new MPEGDecoder();
    await d.ready;
    // mpg123 is fed incrementally and holds no frame back: nothing to flush.
    return { decode: async (b) => d.decode(b), flush: async () => EMPTY, free: () => d.free() };
  }
  const d =
    container === 'flac'
      ? new (await import('@wasm-audio-decoders/flac')).FLACDecoder()
      : new (await import('@wasm-audio-decoders/ogg-vorbis')).OggVorbisDecoder();
  await d.ready;
  return { decode: (b) => d.decode(b), flush: () => d.flush(), free: () => d.free() };
}

/** Decodes a whole compressed file in this thread, one fresh decoder per file. */
export async function decodeWhole(container: CompressedContainer, bytes: Uint8Array): Promise<RawDecoded> {
  if (container === 'mp3') {
    const s = await openDecoder('mp3');
    try {
      return await s.decode(bytes);
    } finally {
      s.free();
    }
  }
  const d =
    container === 'flac'
      ? new (await import('@wasm-audio-decoders/flac')).FLACDecoder()
      : new (await import('@wasm-audio-decoders/ogg-vorbis')).OggVorbisDecoder();
  await d.ready;
  try {
    return await d.decodeFile(bytes);
  } finally {
    d.free();
  }
}

// ---- the helper worker ----

/** The worker: the same packages (resolved by the caller), one decoder per session id. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { port, lock, urls } = workerData;
const flag = new Int32Array(lock);
const mods = {};
const sessions = new Map();
const load = async (k) => (mods[k] ??= await import(urls[k]));
const EMPTY = { channelData: [], samplesDecoded: 0, sampleRate: 0, errors: [] };
async function make(container) {
  const d = container === 'flac' ? new (await load('flac')).FLACDecoder()
    : container === 'ogg-vorbis' ? new (await load('vorbis')).OggVorbisDecoder()
    : new (await load('mp3')).MPEGDecoder();
  await d.ready;
  return d;
}
async function run(m) {
  if (m.op === 'file') {
    const d = await make(m.container);
    try { return m.container === 'mp3' ? d.decode(m.bytes) : await d.decodeFile(m.bytes); } finally { d.free(); }
  }
  if (m.op === 'open') { sessions.set(m.id, { d: await make(m.container), mp3: m.container === 'mp3' }); return EMPTY; }
  const s = sessions.get(m.id);
  if (!s) throw new Error('no such decoder session');
  if (m.op === 'decode') return await s.d.decode(m.bytes);
  if (m.op === 'flush') return s.mp3 ? EMPTY : await s.d.flush();
  sessions.delete(m.id); s.d.free(); return EMPTY;
}
port.on('message', async (m) => {
  let msg;
  try {
    const r = await run(m);
    msg = { seq: m.seq, ok: true, raw: { channelData: r.channelData, samplesDecoded: r.samplesDecoded, sampleRate: r.sampleRate,
      bitDepth: r.bitDepth, errors: r.errors.map((e) => ({ message: String(e.message) })) } };
  } catch (err) {
    msg = { seq: m.seq, ok: false, message: String((err && err.message) || err) };
  }
  port.postMessage(msg);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

/** Longest wait for one answer, ms (a hung decoder must not hang the run). */
const SYNC_TIMEOUT_MS = 120_000;

type Reply = { seq: number; ok: true; raw: RawDecoded } | { seq: number; ok: false; message: string };

/** A decoder failure inside the worker (the caller words it as a corrupt-file error). */
export class DecoderFailure extends Error {}

/**
 * The shared helper worker. Calls are synchronous and one at a time (this thread blocks), so
 * sessions never interleave; answers carry a sequence number, so a late answer to a timed-out
 * call is never taken for the next one.
 */
export class SyncDecoderWorker {
  private static instance: SyncDecoderWorker | null = null;
  private seq = 0;
  private nextId = 0;

  private constructor(
    private readonly port: MessagePort,
    private readonly flag: Int32Array,
  ) {}

  /** The running worker, started on first use (restarted after a crash). */
  static get(): SyncDecoderWorker {
    if (SyncDecoderWorker.instance) return SyncDecoderWorker.instance;
    const require = createRequire(import.meta.url);
    const url = (pkg: string) => pathToFileURL(require.resolve(pkg)).href;
    const urls = { flac: url('@wasm-audio-decoders/flac'), vorbis: url('@wasm-audio-decoders/ogg-vorbis'), mp3: url('mpg123-decoder') };
    const { port1, port2 } = new MessageChannel();
    const lock = new SharedArrayBuffer(4);
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { port: port2, lock, urls }, transferList: [port2] });
    // Never keeps the process alive; a crashed worker is replaced by the next call.
    worker.unref();
    port1.unref();
    const w = new SyncDecoderWorker(port1, new Int32Array(lock));
    const drop = () => {
      if (SyncDecoderWorker.instance === w) SyncDecoderWorker.instance = null;
    };
    worker.on('error', drop);
    worker.on('exit', drop);
    return (SyncDecoderWorker.instance = w);
  }

  /**
   * One request, answered synchronously.
   * @throws DecoderFailure with the decoder's message, or `gave no answer (timed out)`
   */
  call(
    msg:
      | { op: 'file' | 'open'; container: CompressedContainer; bytes?: Uint8Array; id?: number }
      | { op: 'decode' | 'flush' | 'free'; id: number; bytes?: Uint8Array },
  ): RawDecoded {
    const seq = ++this.seq;
    while (receiveMessageOnPort(this.port)); // late answers to timed-out calls
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ ...msg, seq });
    const deadline = Date.now() + SYNC_TIMEOUT_MS;
    const answer = (): RawDecoded | undefined => {
      for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
        const reply = m.message as Reply;
        if (reply.seq !== seq) continue;
        if (!reply.ok) throw new DecoderFailure(reply.message);
        return reply.raw;
      }
      return undefined;
    };
    for (;;) {
      const state = Atomics.wait(this.flag, 0, 0, Math.max(0, deadline - Date.now()));
      const raw = answer();
      if (raw) return raw;
      if (state === 'timed-out' || Date.now() >= deadline) throw new DecoderFailure('decoder gave no answer (timed out)');
      // Woken by a stale answer: re-arm, then look again (ours may have landed in between).
      Atomics.store(this.flag, 0, 0);
      const late = answer();
      if (late) return late;
    }
  }

  /** A streaming session in the worker, with the in-thread session's methods made synchronous. */
  open(container: CompressedContainer): { decode(b: Uint8Array): RawDecoded; flush(): RawDecoded; free(): void } {
    const id = ++this.nextId;
    this.call({ op: 'open', container, id });
    let freed = false;
    return {
      decode: (bytes) => this.call({ op: 'decode', id, bytes }),
      flush: () => this.call({ op: 'flush', id }),
      free: () => {
        if (freed) return;
        freed = true;
        try {
          this.call({ op: 'free', id });
        } catch {
          // A session of a crashed or hung worker: nothing left to free.
        }
      },
    };
  }
}
