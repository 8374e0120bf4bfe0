/**
 * Worker threads for the fused network kernel. The tfjs op runs synchronously inside the
 * gradient tape, so the main thread wakes the workers, and every thread (main included) takes
 * the batch's samples one at a time from a shared counter, in shared memory; then the main thread
 * blocks (`Atomics.wait`) until every worker is done.
 * Every sample's result, including its weight gradient, is computed the same way whatever the
 * slice, so results do not depend on the thread count or on timing.
 *
 * Workers are `unref`'d (they never keep a process alive) and {@link shutdownTrainingThreads}
 * ends them cleanly.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { createNetKernel, type NetKernel, type NetLayout } from './cpu/HwNetworkScan.js';
import {
  ARENA_BASE,
  DESC,
  MAX_LAYERS,
  createArenaMemory,
  ensureArenaBytes,
  instantiateWasmNet,
  placeLayout,
  wasmNetModule,
  writeDescriptor,
  type ArenaPlacement,
  type WasmMemory,
  type WasmModule,
  type WasmNetInstance,
} from './wasm-net-kernel.js';

/** Below this many samples per thread the batch runs on the main thread only. */
const MIN_SAMPLES_PER_THREAD = 2;
/** A worker that does not answer within this time is reported as broken (ms). */
const WORKER_TIMEOUT_MS = 120_000;

// ctrl[0]: job sequence number; ctrl[1]: jobs finished; ctrl[2]: error flag.
const SEQ = 0;
const DONE = 1;
const ERR = 2;

/** Job kinds. */
const OP_FORWARD = 1;
const OP_BACKWARD = 2;
const OP_EXIT = 3;

/** Which kernel runs: the WebAssembly SIMD one, or the JS one (fallback and test oracle). */
export type TrainingKernels = 'wasm' | 'js';

/** Where the arenas of the current layout sit in the shared memory (byte offsets, element counts). */
interface ArenaViews {
  f32Base: number;
  f32Len: number;
  f64Base: number;
  f64Len: number;
}

/** A job; `lay` and `arena` are sent only when they differ from the worker's last ones. */
interface Job {
  op: number;
  /** 1: wasm kernel, 0: JS kernel. */
  wasm: number;
  /** Thread index (the wasm kernel's scratch block): workers 1, 2, …, the main thread 0. */
  tid: number;
  lay?: NetLayout;
  arena?: ArenaViews;
  /** Shared sample counter: every thread takes the next sample until the batch is done. */
  next?: SharedArrayBuffer;
}

/** The worker's whole program: a blocking loop over jobs (kernel sources are prepended). */
function workerMain(
  kernel: NetKernel,
  makeWasm: (() => WasmNetInstance) | null,
  memory: WasmMemory,
  ctrlBuf: SharedArrayBuffer,
  port: MessagePort,
  receive: (p: MessagePort) => { message: Job } | undefined,
): void {
  const ctrl = new Int32Array(ctrlBuf);
  let seen = 0;
  let lay: NetLayout | null = null;
  let F: Float32Array<ArrayBufferLike> = new Float32Array(0);
  let G: Float64Array<ArrayBufferLike> = new Float64Array(0);
  let next: Int32Array<ArrayBufferLike> = new Int32Array(1);
  let wasm: WasmNetInstance | null = null;
  for (;;) {
    Atomics.wait(ctrl, 0, seen);
    seen = Atomics.load(ctrl, 0);
    const msg = receive(port);
    if (!msg) continue;
    const job = msg.message;
    if (job.op === 3) break;
    try {
      if (job.lay) lay = job.lay;
      if (job.arena) {
        // The memory may have grown: views of its current buffer.
        const a = job.arena;
        F = new Float32Array(memory.buffer, a.f32Base, a.f32Len);
        G = new Float64Array(memory.buffer, a.f64Base, a.f64Len);
      }
      if (job.next) next = new Int32Array(job.next);
      if (!lay) throw new Error('job without a layout');
      if (job.wasm && !wasm) {
        if (!makeWasm) throw new Error('no WebAssembly kernel in this worker');
        wasm = makeWasm();
      }
      for (let b = Atomics.add(next, 0, 1); b < lay.B; b = Atomics.add(next, 0, 1)) {
        if (job.wasm && wasm) {
          if (job.op === 1) wasm.forward(b, b + 1, job.tid);
          else wasm.backward(b, b + 1, job.tid);
        } else if (job.op === 1) kernel.forward(lay, F, b, b + 1);
        else kernel.backward(lay, F, G, b, b + 1);
      }
    } catch (err) {
      Atomics.store(ctrl, 2, 1);
      port.postMessage(String((err as Error)?.stack ?? err));
    }
    Atomics.add(ctrl, 1, 1);
    Atomics.notify(ctrl, 1);
  }
  port.close();
}

// Plain CommonJS, no loader flags (execArgv: []): the kernels are pure JS from their source text
// (and the compiled wasm module, shared memory, from workerData).
// A failure even at start-up is reported through the control words, so the main thread never
// waits for a dead worker.
const WORKER_SOURCE = `
const __name = (f) => f;
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
try {
  const createNetKernel = ${createNetKernel.toString()};
  const instantiateWasmNet = ${instantiateWasmNet.toString()};
  const workerMain = ${workerMain.toString()};
  const { module, memory, desc } = workerData;
  const makeWasm = module ? () => instantiateWasmNet(module, memory, desc) : null;
  workerMain(createNetKernel(), makeWasm, memory, workerData.ctrl, workerData.port, receiveMessageOnPort);
} catch (err) {
  const ctrl = new Int32Array(workerData.ctrl);
  try { workerData.port.postMessage(String((err && err.stack) || err)); } catch {}
  Atomics.store(ctrl, 2, 2);
  Atomics.add(ctrl, 1, 1);
  Atomics.notify(ctrl, 1);
}
`;

interface PoolWorker {
  worker: Worker;
  port: MessagePort;
  ctrl: Int32Array;
  /** What the worker already holds (a job re-sends only what changed: no clone per call). */
  sent: { lay: NetLayout | null; arena: string; next: boolean };
}

const mainKernel = createNetKernel();
let threads = defaultThreads();
let kernels: TrainingKernels = defaultKernels();
let pool: PoolWorker[] = [];
/** The arenas: one shared WebAssembly memory (views of it for the JS kernel). */
const memory = createArenaMemory(ARENA_BASE);
let mainWasm: WasmNetInstance | null = null;
/** Layout whose descriptor is in the memory, and the placement of the arenas. */
let descLay: NetLayout | null = null;
let placed: { lay: NetLayout; place: ArenaPlacement; F: Float32Array; G: Float64Array; key: string } | null = null;
const nextBuf = new SharedArrayBuffer(4);

function defaultKernels(): TrainingKernels {
  const env = process.env.NWAVE_TRAIN_KERNELS;
  if (env === 'js') return 'js';
  if (env === 'wasm' && !wasmNetModule()) throw new Error('NWAVE_TRAIN_KERNELS=wasm: WebAssembly SIMD is not available');
  if (env !== undefined && env !== '' && env !== 'wasm') throw new Error(`NWAVE_TRAIN_KERNELS must be js or wasm, got ${env}`);
  return wasmNetModule() ? 'wasm' : 'js';
}

/**
 * Chooses the kernel of the fused network op: `wasm` (WebAssembly SIMD, the default where
 * available) or `js`; both give bit-identical results. Defaults to `NWAVE_TRAIN_KERNELS`.
 * @param k - kernel
 * @throws Error if `wasm` is asked for where WebAssembly SIMD is unavailable
 */
export function setTrainingKernels(k: TrainingKernels): void {
  if (k === 'wasm' && !wasmNetModule()) throw new Error('WebAssembly SIMD is not available here');
  kernels = k;
}

/** @returns the kernel in use */
export function trainingKernels(): TrainingKernels {
  return kernels;
}

function defaultThreads(): number {
  const env = Number(process.env.NWAVE_TRAIN_THREADS);
  if (Number.isInteger(env) && env >= 1) return env;
  return Math.min(2, availableParallelism());
}

/**
 * Sets how many threads (main + workers) the fused training kernel uses; extra workers are
 * stopped (unless `keepWorkers`: a benchmark switching back and forth keeps them warm).
 * Defaults to `NWAVE_TRAIN_THREADS` or `min(2, cores)`.
 * @param n - thread count ≥ 1
 * @param opts - `keepWorkers`: leave idle workers running
 * @throws RangeError if `n` is not a positive integer
 */
export function setTrainingThreads(n: number, opts: { keepWorkers?: boolean } = {}): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`training threads must be a positive integer, got ${n}`);
  threads = n;
  if (!opts.keepWorkers) while (pool.length > n - 1) stopWorker(pool.pop() as PoolWorker);
}

/** @returns the configured thread count */
export function trainingThreads(): number {
  return threads;
}

function stopWorker(w: PoolWorker): void {
  w.port.postMessage({ op: OP_EXIT, wasm: 0, tid: 0 } satisfies Job);
  Atomics.add(w.ctrl, SEQ, 1);
  Atomics.notify(w.ctrl, SEQ);
  w.port.close();
}

/** Stops every worker thread (they also never keep the process alive on their own). */
export function shutdownTrainingThreads(): void {
  while (pool.length) stopWorker(pool.pop() as PoolWorker);
}

function spawn(): PoolWorker {
  const ctrlBuf = new SharedArrayBuffer(16);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    execArgv: [],
    workerData: { ctrl: ctrlBuf, port: port2, module: wasmNetModule(), memory, desc: DESC },
    transferList: [port2],
  });
  worker.unref();
  port1.unref();
  return { worker, port: port1, ctrl: new Int32Array(ctrlBuf), sent: { lay: null, arena: '', next: false } };
}

/**
 * The arenas of a layout: views of the shared memory (grown, never shrunk, to hold the arenas
 * and one kernel scratch block per thread).
 */
export function netArenas(lay: NetLayout): { F: Float32Array; G: Float64Array } {
  const n = Math.max(threads, pool.length + 1);
  const place = placed?.lay === lay ? placed.place : placeLayout(lay);
  const grew = ensureArenaBytes(memory, place.bytesFor(n));
  if (!placed || placed.lay !== lay || grew) {
    const buf = memory.buffer;
    placed = {
      lay,
      place,
      F: new Float32Array(buf, place.f32Base, place.f32Len),
      G: new Float64Array(buf, place.f64Base, place.f64Len),
      key: `${buf.byteLength}:${place.f32Base}:${place.f32Len}:${place.f64Base}:${place.f64Len}`,
    };
  }
  return { F: placed.F, G: placed.G };
}

function run(op: number, lay: NetLayout): void {
  const { F, G } = netArenas(lay);
  const cur = placed as NonNullable<typeof placed>;
  // A network deeper than the descriptor's room runs on the JS kernel (same results).
  const useWasm = kernels === 'wasm' && lay.sizes.length <= MAX_LAYERS;
  if (useWasm) {
    if (descLay !== lay) {
      writeDescriptor(lay, cur.place, memory.buffer);
      descLay = lay;
    }
    mainWasm ??= instantiateWasmNet(wasmNetModule() as WasmModule, memory, DESC);
  }
  const main = (b0: number, b1: number): void => {
    if (useWasm) {
      const w = mainWasm as WasmNetInstance;
      if (op === OP_FORWARD) w.forward(b0, b1, 0);
      else w.backward(b0, b1, 0);
    } else if (op === OP_FORWARD) mainKernel.forward(lay, F, b0, b1);
    else mainKernel.backward(lay, F, G, b0, b1);
  };
  const n = Math.max(1, Math.min(threads, Math.floor(lay.B / MIN_SAMPLES_PER_THREAD)));
  if (n === 1) {
    main(0, lay.B);
    return;
  }
  while (pool.length < n - 1) pool.push(spawn());
  const used = pool.slice(0, n - 1);
  const before = used.map((w) => Atomics.load(w.ctrl, DONE));
  // Samples are handed out one at a time (a thread the OS does not schedule holds up at most one
  // sample); each sample's result is the same whichever thread computes it.
  const next = new Int32Array(nextBuf);
  Atomics.store(next, 0, 0);
  used.forEach((w, i) => {
    const job: Job = { op, wasm: useWasm ? 1 : 0, tid: i + 1 };
    if (w.sent.lay !== lay) job.lay = w.sent.lay = lay;
    if (w.sent.arena !== cur.key) {
      const p = cur.place;
      job.arena = { f32Base: p.f32Base, f32Len: p.f32Len, f64Base: p.f64Base, f64Len: p.f64Len };
      w.sent.arena = cur.key;
    }
    if (!w.sent.next) {
      job.next = nextBuf;
      w.sent.next = true;
    }
    w.port.postMessage(job);
    Atomics.add(w.ctrl, SEQ, 1);
    Atomics.notify(w.ctrl, SEQ);
  });
  for (let b = Atomics.add(next, 0, 1); b < lay.B; b = Atomics.add(next, 0, 1)) main(b, b + 1);
  used.forEach((w, i) => {
    const t0 = Date.now();
    while (Atomics.load(w.ctrl, DONE) === before[i]) {
      if (Atomics.wait(w.ctrl, DONE, before[i], 1000) === 'timed-out' && Date.now() - t0 > WORKER_TIMEOUT_MS) {
        throw new Error('training worker thread did not answer');
      }
    }
  });
  const failed = used.findIndex((w) => Atomics.load(w.ctrl, ERR) !== 0);
  if (failed >= 0) {
    const w = used[failed];
    const message = String(receiveError(w.port));
    // A worker that failed is dropped (stopped if still running); the next call starts a new one.
    pool = pool.filter((p) => p !== w);
    void w.worker.terminate();
    throw new Error(`training worker thread failed: ${message}`);
  }
}

function receiveError(port: MessagePort): unknown {
  return receiveMessageOnPort(port)?.message;
}

/**
 * Runs the network forward over the whole batch (inputs already in the arena).
 * @param lay - layout of this call
 */
export function runNetForward(lay: NetLayout): void {
  run(OP_FORWARD, lay);
}

/**
 * Runs the BPTT backward over the whole batch (forward state and dL/dspikes in the arena).
 * @param lay - layout of this call
 */
export function runNetBackward(lay: NetLayout): void {
  run(OP_BACKWARD, lay);
}
