/**
 * Host side of the WebAssembly SIMD network kernel (`training/assembly/net-kernel.ts`, compiled
 * into `wasm/net-kernel.wasm.ts`): the arena memory every thread shares, the layout descriptor
 * the kernel reads, and the per-thread instance. The wasm kernel computes the same operations
 * in the same order and precision as the JS kernel (`cpu/HwNetworkScan.ts`), so both give
 * bit-identical results; the JS kernel stays as the fallback (`NWAVE_TRAIN_KERNELS=js`, or no
 * WebAssembly SIMD) and as the tests' oracle.
 *
 * Memory map (bytes): the descriptor at {@link DESC}, then from {@link ARENA_BASE} the float32
 * arena F, the float64 arena G (per-sample gradients) and one scratch block per thread. The
 * memory is a shared `WebAssembly.Memory`: the arenas are plain typed-array views of it (no copy
 * per step) and every worker instantiates the module on the same memory.
 */
import type { NetLayout } from './cpu/HwNetworkScan.js';
import { NET_KERNEL_WASM_BASE64 } from './wasm/net-kernel.wasm.js';

/** Byte address of the layout descriptor (below it: nothing; the kernel has no static data). */
export const DESC = 8192;
/** First byte of the arenas. */
export const ARENA_BASE = 65536;
const PAGE = 65536;
/** Shared memory ceiling (pages): reserved address space only, grown on demand. */
const MAX_PAGES = 16384;

// Descriptor slots: the same numbers as the AssemblyScript source's constants.
const H = { B: 0, T: 1, C: 2, DIAG: 3, L: 4, INGRAD: 5, X: 6, DYC: 7, CNT: 8, DX: 9, P: 10, G: 11, SCR: 12, SCRSIZE: 13 };
const S = { ACC: 16, NACT: 17, NACTPREV: 18, GS: 19, NZIDX: 20, NZVAL: 21, TIMES: 22, COUNT: 23, ACTPTR: 24, ACTPREVPTR: 25 };
const LAYER0 = 32;
const LAYER_SLOTS = 24;
/** Slot index of each name, in list order. */
function slots<K extends string>(names: readonly K[]): Record<K, number> {
  return Object.fromEntries(names.map((n, i) => [n, i])) as Record<K, number>;
}
// Per-layer slots, in the AssemblyScript source's order (its constants 0, 1, 2, ...).
const LS = slots([
  'N',
  'REC',
  'LB',
  'SUB',
  'KIND',
  'W',
  'WT',
  'RECW',
  'RECT',
  'BETA',
  'S',
  'V',
  'DY',
  'GW',
  'GREC',
  'GBETA',
  'VPLUS',
  'CUR',
  'RC',
  'ACTA',
  'ACTB',
  'DVPLUS',
  'DHIST',
] as const);
const F64_AREA = 4096;
/** Layers the descriptor has room for. */
export const MAX_LAYERS = 16;

/** Where a layout lives in the arena memory. */
export interface ArenaPlacement {
  /** Byte offsets and element counts of the F and G views. */
  f32Base: number;
  f32Len: number;
  f64Base: number;
  f64Len: number;
  /** First thread's scratch and bytes per thread. */
  scratchBase: number;
  scratchSize: number;
  /** Bytes the memory must hold for `threads` threads. */
  bytesFor(threads: number): number;
}

/** The few WebAssembly APIs used, typed here: the training build's lib (ES2022) has no WebAssembly types. */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}
/** A compiled module (opaque). */
export type WasmModule = object;
interface WasmApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const wasmApi = (): WasmApi => (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const align = (n: number, a: number): number => Math.ceil(n / a) * a;

/**
 * Places a layout in the arena memory.
 * @param lay - layout of the call
 */
export function placeLayout(lay: NetLayout): ArenaPlacement {
  const f32Base = ARENA_BASE;
  const f32Len = Math.max(lay.f32Size, 1);
  const f64Base = align(f32Base + f32Len * 4, 16);
  const f64Len = Math.max(lay.f64Size, 1);
  const scratchBase = align(f64Base + f64Len * 8, 16);
  const scratchSize = scratchLayout(lay).size;
  return { f32Base, f32Len, f64Base, f64Len, scratchBase, scratchSize, bytesFor: (n) => scratchBase + n * scratchSize };
}

/** Per-thread scratch offsets (bytes from the thread's base), 16-byte aligned blocks. */
function scratchLayout(lay: NetLayout): { size: number; shared: Record<keyof typeof S, number>; layer: Record<string, number>[] } {
  const { sizes, T, C } = lay;
  const L = sizes.length;
  const maxN = Math.max(C, ...sizes);
  let o = 0;
  const take = (bytes: number): number => {
    const r = o;
    o = align(o + bytes, 16);
    return r;
  };
  const shared = {
    ACC: take(maxN * 8),
    NACT: take(L * 4),
    NACTPREV: take(L * 4),
    GS: take(maxN * 8),
    NZIDX: take(maxN * 4),
    NZVAL: take(maxN * 8),
    TIMES: take(maxN * T * 4),
    COUNT: take(maxN * 4),
    ACTPTR: take(L * 4),
    ACTPREVPTR: take(L * 4),
  };
  const layer = sizes.map((n) => ({
    VPLUS: take(n * 4),
    CUR: take(n * 4),
    RC: take(n * 4),
    ACTA: take(n * 4),
    ACTB: take(n * 4),
    DVPLUS: take(n * 8),
    DHIST: take(T * n * 8),
  }));
  return { size: o, shared, layer };
}

/**
 * Writes the descriptor of a layout (absolute byte addresses) into the arena memory.
 * @param lay - layout of the call
 * @param place - its placement ({@link placeLayout})
 * @param buf - the memory's buffer
 */
export function writeDescriptor(lay: NetLayout, place: ArenaPlacement, buf: ArrayBufferLike): void {
  const L = lay.sizes.length;
  if (L > MAX_LAYERS) throw new RangeError(`wasm kernel: at most ${MAX_LAYERS} layers, got ${L}`);
  const I = new Int32Array(buf, DESC, F64_AREA / 4);
  const D = new Float64Array(buf, DESC + F64_AREA, MAX_LAYERS * 4);
  const f = (off: number): number => (off < 0 ? -1 : place.f32Base + off * 4);
  I.fill(0);
  I[H.B] = lay.B;
  I[H.T] = lay.T;
  I[H.C] = lay.C;
  I[H.DIAG] = lay.inputDiag ? 1 : 0;
  I[H.L] = L;
  I[H.INGRAD] = lay.inputGrad !== false ? 1 : 0;
  I[H.X] = f(lay.xOff);
  I[H.DYC] = f(lay.dycOff);
  I[H.CNT] = f(lay.cntOff);
  I[H.DX] = f(lay.dxOff);
  I[H.P] = lay.P;
  I[H.G] = place.f64Base;
  I[H.SCR] = place.scratchBase;
  I[H.SCRSIZE] = place.scratchSize;
  const scr = scratchLayout(lay);
  for (const k of Object.keys(S) as (keyof typeof S)[]) I[S[k]] = scr.shared[k];
  for (let l = 0; l < L; l++) {
    const s = LAYER0 + l * LAYER_SLOTS;
    I[s + LS.N] = lay.sizes[l];
    I[s + LS.REC] = lay.rec[l] ? 1 : 0;
    I[s + LS.LB] = lay.learnBeta[l] ? 1 : 0;
    I[s + LS.SUB] = lay.subtractive[l] ? 1 : 0;
    I[s + LS.KIND] = lay.surKind[l];
    I[s + LS.W] = f(lay.wOff[l]);
    I[s + LS.WT] = f(lay.wtOff[l]);
    I[s + LS.RECW] = f(lay.recOff[l]);
    I[s + LS.RECT] = f(lay.recTOff[l]);
    I[s + LS.BETA] = f(lay.betaOff[l]);
    I[s + LS.S] = f(lay.sOff[l]);
    I[s + LS.V] = f(lay.vOff[l]);
    I[s + LS.DY] = f(lay.dyOff[l]);
    I[s + LS.GW] = lay.gwOff[l];
    I[s + LS.GREC] = lay.grecOff[l];
    I[s + LS.GBETA] = lay.gbetaOff[l];
    for (const [k, v] of Object.entries(scr.layer[l])) I[s + LS[k as keyof typeof LS]] = v;
    D[l * 4] = lay.theta[l];
    D[l * 4 + 1] = lay.ceiling[l];
    D[l * 4 + 2] = lay.surParam[l];
    D[l * 4 + 3] = float32AtLeast(lay.theta[l]);
  }
}

/** The least float32 ≥ x: for a float32 v, v ≥ x ⟺ v ≥ float32AtLeast(x). */
export function float32AtLeast(x: number): number {
  const f = new Float32Array([x]);
  if (f[0] < x) {
    const u = new Int32Array(f.buffer);
    u[0] += f[0] >= 0 ? 1 : -1;
  }
  return f[0];
}

/** The shared arena memory (grown on demand by {@link ensureArenaBytes}). */
export function createArenaMemory(bytes: number): WasmMemory {
  return new (wasmApi().Memory)({ initial: Math.ceil(bytes / PAGE), maximum: MAX_PAGES, shared: true });
}

/**
 * Grows the memory to hold `bytes`.
 * @returns true if it grew (views of its old buffer keep their old length)
 */
export function ensureArenaBytes(mem: WasmMemory, bytes: number): boolean {
  const have = mem.buffer.byteLength;
  if (have >= bytes) return false;
  const pages = Math.ceil((bytes - have) / PAGE);
  if (have / PAGE + pages > MAX_PAGES) throw new RangeError(`training arena of ${bytes} bytes exceeds ${MAX_PAGES * PAGE}`);
  mem.grow(pages);
  return true;
}

let compiled: WasmModule | null | undefined;

/** The compiled kernel module, or null where WebAssembly SIMD (or shared memory) is unavailable. */
export function wasmNetModule(): WasmModule | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = Buffer.from(NET_KERNEL_WASM_BASE64, 'base64');
    const api = wasmApi();
    compiled = api.validate(bytes) ? new api.Module(bytes) : null;
    if (compiled) createArenaMemory(PAGE); // throws without shared memory
  } catch {
    compiled = null;
  }
  return compiled;
}

/** One thread's instance: forward / backward over a sample range. */
export interface WasmNetInstance {
  forward(b0: number, b1: number, tid: number): void;
  backward(b0: number, b1: number, tid: number): void;
}

/**
 * Instantiates the kernel on the arena memory. Self-contained (no outer references): worker
 * threads rebuild it from its source text, as the JS kernel.
 * @param module - {@link wasmNetModule}
 * @param memory - the shared arena memory
 * @param desc - descriptor address ({@link DESC})
 */
export function instantiateWasmNet(module: WasmModule, memory: WasmMemory, desc: number): WasmNetInstance {
  const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const inst = new api.Instance(module, { env: { memory, exp: Math.exp } });
  const ex = inst.exports as unknown as { forward: (d: number, s: number, b0: number, b1: number) => void; backward: typeof ex.forward };
  // Header slots 12 and 13: first scratch block and bytes per thread.
  const scratch = (tid: number): number => {
    const h = new Int32Array(memory.buffer, desc, 16);
    return h[12] + tid * h[13];
  };
  return {
    forward: (b0, b1, tid) => ex.forward(desc, scratch(tid), b0, b1),
    backward: (b0, b1, tid) => ex.backward(desc, scratch(tid), b0, b1),
  };
}
