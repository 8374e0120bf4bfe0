/**
 * Whole-clip classification of audio files on either backend: `js` (the fixed-point runtime) or
 * `onnx` (onnxruntime-web, WASM). onnxruntime-web and the ONNX exporter are imported only when
 * the `onnx` backend is first asked for, so the live path never loads them. Live microphone
 * streaming always stays on the JS runtime (engine worker).
 */
import { classifyClips, resolveBackend, type ClipResult, type NwaveModel, type SnnSession } from '@nwave/runtime';

export type BackendName = 'js' | 'onnx';

export const BACKEND_TITLES: Record<BackendName, string> = { js: 'JS runtime', onnx: 'ONNX Runtime Web' };

/** One clip on one backend: the runtime's `ClipResult` and the wall time of the network run. */
export interface BackendRun {
  backend: BackendName;
  result: ClipResult;
  /** Network run on this backend (features computed once, shared by both backends). */
  ms: number;
}

let onnxReady: Promise<void> | null = null;

/** Registers the `onnx` backend, with the `.wasm` served by Vite (dev server and production build alike). */
function loadOnnx(): Promise<void> {
  onnxReady ??= (async () => {
    const [{ onnxBackendOptions }, { default: wasmUrl }] = await Promise.all([
      import('@nwave/onnx'),
      import('onnxruntime-web/ort-wasm-simd-threaded.wasm?url'),
    ]);
    onnxBackendOptions.wasmPaths = { wasm: new URL(wasmUrl, document.baseURI).href };
  })();
  return onnxReady;
}

/** Same results as `BackendRun.result` on both sides: decision, counts, layer totals, power. */
export function sameResult(a: ClipResult, b: ClipResult): boolean {
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

function strip(r: ClipResult): Omit<ClipResult, 'rasters'> {
  const { rasters: _rasters, ...rest } = r;
  return rest;
}

export class BackendRunner {
  private readonly sessions = new Map<NwaveModel, Map<BackendName, Promise<SnnSession>>>();
  /** Milliseconds taken to start each backend for a model (load, WASM compile, session). */
  private readonly started = new Map<NwaveModel, Map<BackendName, number>>();

  /** Start-up time of `backend` for `model`, once started. */
  startMs(model: NwaveModel, backend: BackendName): number | undefined {
    return this.started.get(model)?.get(backend);
  }

  /** Disposes the sessions of every model not in `keep` (call when models are replaced). */
  retain(keep: readonly (NwaveModel | undefined)[]): void {
    for (const [model, byBackend] of this.sessions) {
      if (keep.includes(model)) continue;
      for (const s of byBackend.values()) void s.then((x) => x.dispose()).catch(() => undefined);
      this.sessions.delete(model);
      this.started.delete(model);
    }
  }

  private session(backend: BackendName, model: NwaveModel): Promise<SnnSession> {
    let byBackend = this.sessions.get(model);
    if (!byBackend) this.sessions.set(model, (byBackend = new Map()));
    let s = byBackend.get(backend);
    if (!s) {
      const t0 = performance.now();
      s = (async () => {
        if (backend === 'onnx') await loadOnnx();
        const { backend: b } = await resolveBackend([backend]);
        const session = await b.createSession(model);
        if (!this.started.has(model)) this.started.set(model, new Map());
        this.started.get(model)!.set(backend, performance.now() - t0);
        return session;
      })();
      const sessions = byBackend;
      s.catch(() => sessions.delete(backend)); // a failed start may be retried
      sessions.set(backend, s);
    }
    return s;
  }

  /** Features once, then the network on each backend in turn. */
  async classify(model: NwaveModel, samples: Float32Array, sampleRateHz: number, backends: readonly BackendName[]): Promise<BackendRun[]> {
    const features = model.features(samples, sampleRateHz);
    const runs: BackendRun[] = [];
    for (const backend of backends) {
      const session = await this.session(backend, model);
      const t0 = performance.now();
      const [result] = await classifyClips(session, model, [features]);
      runs.push({ backend, result, ms: performance.now() - t0 });
    }
    return runs;
  }
}
