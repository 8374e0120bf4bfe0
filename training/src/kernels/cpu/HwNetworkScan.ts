/**
 * Pure typed-array kernel of the fused `HwNetworkScan` op: the WHOLE network's time loop
 * (synapse + optional in-core recurrence + LIF, every layer per step) for a range of samples,
 * forward and BPTT backward. One call per forward and one per backward replaces ~10 tfjs ops per
 * layer per step; spikes are binary, so synapse products and weight gradients only touch the
 * rows of neurons that spiked.
 *
 * Everything lives inside {@link createNetKernel} and uses no imports: worker threads rebuild
 * the kernel from its source text (`createNetKernel.toString()`), so main thread and workers
 * run the same code.
 *
 * Per layer l and step t (NWAVE reference §5.3, contract 1 of the checkpoint):
 * ```
 * I_t  = in_t @ W_l + s^l_{t−1} @ Wrec_l     (in = x ⊙ w for a diagonal frontend, else s^{l−1}_t)
 * u_t  = β·v⁺_{t−1} + I_t,  v_t = max(0, u_t),  s_t = [v_t ≥ θ]
 * v⁺_t = v_t·(1 − s_t)   (zero reset)   or   min(C, v_t − θ·s_t)   (subtractive reset, ceiling C)
 * ```
 * Backward: reset path detached, ReLU gradient `[v > 0]`, surrogate `σ'(v − θ)`, and
 * `dβ += du_t·v⁺_{t−1}` for layers with learnable τ. dL/dI of every step is kept for the sample,
 * and the weight gradients are summed after its time loop, per input neuron over the steps it
 * spiked, four steps per pass over the gradient row (a quarter of the read-modify-writes of one
 * step at a time). Weight gradients are accumulated per sample in float64; the caller sums
 * samples in a fixed order, so results do not depend on threads. Scratch buffers are built once
 * per layout and reused (no allocation per call).
 */

/** Shapes and per-layer settings of one call. */
export interface NetSpec {
  B: number;
  T: number;
  /** Input features per step. */
  C: number;
  /** First layer's synapse is diagonal (Frontend: `[C]` weights) rather than dense `[C, N0]`. */
  inputDiag: boolean;
  sizes: number[];
  rec: boolean[];
  learnBeta: boolean[];
  theta: number[];
  /** Reset per layer: subtractive (v⁺ = min(ceiling, v − θ)) rather than zero. */
  subtractive: boolean[];
  /** Membrane ceiling per layer of a subtractive reset (membrane units). */
  ceiling: number[];
  /** Surrogate per layer: 0 fast_sigmoid(slope), 1 atan(alpha), 2 sigmoid(slope). */
  surKind: number[];
  surParam: number[];
  /** Compute dL/dx (the tfjs op's input gradient); the fused training step does not need it. Default true. */
  inputGrad?: boolean;
  /**
   * dL/dspikes of every layer but the last is one number per layer (the fused step's firing-rate
   * term), at `dycOff + l`, rather than a `[B, T, N_l]` block: no block to clear, fill and read.
   * Default false.
   */
  constHiddenDy?: boolean;
}

/** Where every array of one call lives in the shared float32 / float64 arenas. */
export interface NetLayout extends NetSpec {
  /** float32 arena offsets. */
  xOff: number;
  wOff: number[];
  /** Transposed weights `[N_l, N_{l−1}]` (backward), l ≥ 1. */
  wtOff: number[];
  recOff: number[];
  /** Transposed recurrent weights (backward). */
  recTOff: number[];
  betaOff: number[];
  /** `[B, T, N_l]` blocks: spikes, pre-reset membrane, dL/dspikes (−1: a constant, see `constHiddenDy`). */
  sOff: number[];
  vOff: number[];
  dyOff: number[];
  /** Per-layer constant dL/dspikes (`constHiddenDy`), `[L]`. */
  dycOff: number;
  /** Spike count per sample and layer `[B, L]`, written by the forward (firing rates without a pass over the spikes). */
  cntOff: number;
  /** dL/dx `[B, T, C]`. */
  dxOff: number;
  f32Size: number;
  /** float64 arena: per-sample gradient blocks `[B, P]`. */
  P: number;
  gwOff: number[];
  grecOff: number[];
  gbetaOff: number[];
  f64Size: number;
}

/** The kernel functions (see the module comment). */
export interface NetKernel {
  forward(lay: NetLayout, F: Float32Array, b0: number, b1: number): void;
  backward(lay: NetLayout, F: Float32Array, G: Float64Array, b0: number, b1: number): void;
}

/**
 * Builds the kernel. Self-contained on purpose (see the module comment): no outer references.
 * @returns forward and backward over a sample range
 */
export function createNetKernel(): NetKernel {
  const fround = Math.fround;
  function sg(kind: number, p: number, x: number): number {
    if (kind === 0) {
      const d = p * Math.abs(x) + 1;
      return 1 / (d * d);
    }
    if (kind === 1) {
      const z = (Math.PI / 2) * p * x;
      return p / 2 / (1 + z * z);
    }
    const e = Math.exp(-p * Math.abs(x));
    const d = e + 1;
    return (p * e) / (d * d);
  }

  /** Per-thread scratch of one layout, built once and reused by every call (no per-call allocation). */
  interface Scratch {
    lay: NetLayout;
    acc: Float64Array;
    vPlus: Float32Array[];
    cur: Float32Array[];
    rc: Float32Array[];
    act: Int32Array[];
    actPrev: Int32Array[];
    nAct: Int32Array;
    nActPrev: Int32Array;
    dvPlus: Float64Array[];
    /** dL/dI of every step of the current sample, `[T, N_l]` per layer (weight gradients after the time loop). */
    dHist: Float64Array[];
    gS: Float64Array;
    nzIdx: Int32Array;
    nzVal: Float64Array;
    /** Per input neuron, the steps it spiked: `times[k·T + i]`, `count[k]`. */
    times: Int32Array;
    count: Int32Array;
  }
  let scr: Scratch | null = null;
  function scratchOf(lay: NetLayout): Scratch {
    if (scr && scr.lay === lay) return scr;
    const { sizes, T, C } = lay;
    const maxN = Math.max(C, ...sizes);
    scr = {
      lay,
      acc: new Float64Array(maxN),
      vPlus: sizes.map((n) => new Float32Array(n)),
      cur: sizes.map((n) => new Float32Array(n)),
      rc: sizes.map((n) => new Float32Array(n)),
      act: sizes.map((n) => new Int32Array(n)),
      actPrev: sizes.map((n) => new Int32Array(n)),
      nAct: new Int32Array(sizes.length),
      nActPrev: new Int32Array(sizes.length),
      dvPlus: sizes.map((n) => new Float64Array(n)),
      dHist: sizes.map((n) => new Float64Array(T * n)),
      gS: new Float64Array(maxN),
      nzIdx: new Int32Array(maxN),
      nzVal: new Float64Array(maxN),
      times: new Int32Array(maxN * T),
      count: new Int32Array(maxN),
    };
    return scr;
  }

  // tfjs' CPU matMul sums 48 inputs at a time in float64, then adds the block to the float32
  // output: summing the same way gives bit-identical currents (quantized weights make exact
  // ties at 0 and at θ common, where a last-bit difference would change the gradient).
  const BLOCK = 48;
  function sumRows(F: Float32Array, w: number, a: Int32Array, na: number, N: number, out: Float32Array, acc: Float64Array): void {
    out.fill(0);
    acc.fill(0, 0, N);
    let blockEnd = BLOCK;
    for (let i = 0; i < na; i++) {
      const k = a[i];
      if (k >= blockEnd) {
        for (let n = 0; n < N; n++) out[n] += acc[n];
        acc.fill(0, 0, N);
        blockEnd = (Math.floor(k / BLOCK) + 1) * BLOCK;
      }
      // Up to four rows of the same block per pass (sums of a few float32 values are exact in
      // float64, so the order does not change the result).
      const row = w + k * N;
      const k1 = i + 1 < na ? a[i + 1] : blockEnd;
      const k2 = i + 2 < na ? a[i + 2] : blockEnd;
      const k3 = i + 3 < na ? a[i + 3] : blockEnd;
      if (k3 < blockEnd) {
        const r1 = w + k1 * N;
        const r2 = w + k2 * N;
        const r3 = w + k3 * N;
        for (let n = 0; n < N; n++) acc[n] += F[row + n] + F[r1 + n] + (F[r2 + n] + F[r3 + n]);
        i += 3;
      } else if (k1 < blockEnd) {
        const r1 = w + k1 * N;
        for (let n = 0; n < N; n++) acc[n] += F[row + n] + F[r1 + n];
        i += 1;
      } else for (let n = 0; n < N; n++) acc[n] += F[row + n];
    }
    for (let n = 0; n < N; n++) out[n] += acc[n];
  }

  function forward(lay: NetLayout, F: Float32Array, b0: number, b1: number): void {
    const { T, C, sizes, rec } = lay;
    const L = sizes.length;
    const { acc, vPlus, cur, rc, nAct, nActPrev } = scratchOf(lay);
    const act = scratchOf(lay).act.slice();
    const actPrev = scratchOf(lay).actPrev.slice();
    for (let b = b0; b < b1; b++) {
      for (let l = 0; l < L; l++) {
        vPlus[l].fill(0);
        nActPrev[l] = 0;
        F[lay.cntOff + b * L + l] = 0;
      }
      for (let t = 0; t < T; t++) {
        for (let l = 0; l < L; l++) {
          const N = sizes[l];
          const I = cur[l];
          const w = lay.wOff[l];
          if (l === 0) {
            const xo = lay.xOff + (b * T + t) * C;
            if (lay.inputDiag) {
              for (let n = 0; n < N; n++) I[n] = fround(F[xo + n] * F[w + n]);
            } else {
              I.fill(0);
              acc.fill(0, 0, N);
              let blockEnd = BLOCK;
              for (let k = 0; k < C; k++) {
                if (k >= blockEnd) {
                  for (let n = 0; n < N; n++) I[n] += acc[n];
                  acc.fill(0, 0, N);
                  blockEnd += BLOCK;
                }
                const xv = F[xo + k];
                if (xv === 0) continue;
                const row = w + k * N;
                for (let n = 0; n < N; n++) acc[n] += xv * F[row + n];
              }
              for (let n = 0; n < N; n++) I[n] += acc[n];
            }
          } else sumRows(F, w, act[l - 1], nAct[l - 1], N, I, acc);
          if (rec[l]) {
            const R = rc[l];
            sumRows(F, lay.recOff[l], actPrev[l], nActPrev[l], N, R, acc);
            for (let n = 0; n < N; n++) I[n] += R[n];
          }
          const vp = vPlus[l];
          const bo = lay.betaOff[l];
          const theta = lay.theta[l];
          const sub = lay.subtractive[l];
          const ceil = lay.ceiling[l];
          const o = (b * T + t) * N;
          const so = lay.sOff[l] + o;
          const vo = lay.vOff[l] + o;
          const a = act[l];
          let na = 0;
          for (let n = 0; n < N; n++) {
            const u = fround(fround(F[bo + n] * vp[n]) + I[n]);
            const v = u > 0 ? u : 0;
            F[vo + n] = v;
            if (v >= theta) {
              F[so + n] = 1;
              vp[n] = sub ? Math.min(ceil, fround(v - theta)) : 0;
              a[na++] = n;
            } else {
              F[so + n] = 0;
              vp[n] = v;
            }
          }
          nAct[l] = na;
          F[lay.cntOff + b * L + l] += na;
        }
        // This step's spikes become the recurrent input of the next step.
        for (let l = 0; l < L; l++) {
          if (!rec[l]) continue;
          const tmp = actPrev[l];
          actPrev[l] = act[l];
          act[l] = tmp;
          nActPrev[l] = nAct[l];
        }
      }
    }
  }

  /**
   * `out[n] += Σ_m d[m]·Wt[m, n]` (`Wt` row-major `[M, N]` at `wt`) over the non-zero `d[m]`,
   * four rows at a time: a quarter of the loads and stores of `out` of one row at a time.
   */
  function addRows(
    F: Float32Array,
    wt: number,
    M: number,
    d: Float64Array,
    dOff: number,
    N: number,
    out: Float64Array,
    idx: Int32Array,
    val: Float64Array,
  ): void {
    let nz = 0;
    for (let m = 0; m < M; m++) {
      const g = d[dOff + m];
      if (g !== 0) {
        idx[nz] = wt + m * N;
        val[nz++] = g;
      }
    }
    let j = 0;
    for (; j + 7 < nz; j += 8) {
      const r0 = idx[j];
      const r1 = idx[j + 1];
      const r2 = idx[j + 2];
      const r3 = idx[j + 3];
      const r4 = idx[j + 4];
      const r5 = idx[j + 5];
      const r6 = idx[j + 6];
      const r7 = idx[j + 7];
      const g0 = val[j];
      const g1 = val[j + 1];
      const g2 = val[j + 2];
      const g3 = val[j + 3];
      const g4 = val[j + 4];
      const g5 = val[j + 5];
      const g6 = val[j + 6];
      const g7 = val[j + 7];
      for (let n = 0; n < N; n++)
        out[n] +=
          g0 * F[r0 + n] +
          g1 * F[r1 + n] +
          (g2 * F[r2 + n] + g3 * F[r3 + n]) +
          (g4 * F[r4 + n] + g5 * F[r5 + n] + (g6 * F[r6 + n] + g7 * F[r7 + n]));
    }
    for (; j + 3 < nz; j += 4) {
      const r0 = idx[j];
      const r1 = idx[j + 1];
      const r2 = idx[j + 2];
      const r3 = idx[j + 3];
      const g0 = val[j];
      const g1 = val[j + 1];
      const g2 = val[j + 2];
      const g3 = val[j + 3];
      for (let n = 0; n < N; n++) out[n] += g0 * F[r0 + n] + g1 * F[r1 + n] + (g2 * F[r2 + n] + g3 * F[r3 + n]);
    }
    for (; j < nz; j++) {
      const r = idx[j];
      const g = val[j];
      for (let n = 0; n < N; n++) out[n] += g * F[r + n];
    }
  }

  /**
   * Weight gradient of a synapse with binary inputs: `G[g + k·N + n] += Σ_{t ∈ times(k)} H[(t + shift)·N + n]`,
   * four steps per pass (a quarter of the read-modify-writes of the gradient row).
   */
  function spikeOuter(
    G: Float64Array,
    g: number,
    K: number,
    N: number,
    H: Float64Array,
    shift: number,
    times: Int32Array,
    count: Int32Array,
    T: number,
  ): void {
    for (let k = 0; k < K; k++) {
      const c = count[k];
      if (c === 0) continue;
      const row = g + k * N;
      const tb = k * T;
      let i = 0;
      for (; i + 3 < c; i += 4) {
        const h0 = (times[tb + i] + shift) * N;
        const h1 = (times[tb + i + 1] + shift) * N;
        const h2 = (times[tb + i + 2] + shift) * N;
        const h3 = (times[tb + i + 3] + shift) * N;
        for (let n = 0; n < N; n++) G[row + n] += H[h0 + n] + H[h1 + n] + (H[h2 + n] + H[h3 + n]);
      }
      for (; i < c; i++) {
        const h = (times[tb + i] + shift) * N;
        for (let n = 0; n < N; n++) G[row + n] += H[h + n];
      }
    }
  }

  /** Lists, per neuron of a `[T, K]` spike block at `F[so …]`, the steps `t < tEnd` it spiked. */
  function spikeTimes(F: Float32Array, so: number, K: number, tEnd: number, times: Int32Array, count: Int32Array, T: number): void {
    count.fill(0, 0, K);
    for (let t = 0; t < tEnd; t++) {
      const o = so + t * K;
      // Branch-free (spikes are 0 or 1): write the step, advance only on a spike.
      for (let k = 0; k < K; k++) {
        const c = count[k];
        times[k * T + c] = t;
        count[k] = c + F[o + k];
      }
    }
  }

  function backward(lay: NetLayout, F: Float32Array, G: Float64Array, b0: number, b1: number): void {
    const { T, C, sizes, rec, learnBeta, P } = lay;
    const inputGrad = lay.inputGrad !== false;
    const L = sizes.length;
    const { dvPlus, dHist, gS, nzIdx, nzVal, times, count } = scratchOf(lay);
    for (let b = b0; b < b1; b++) {
      const gb = b * P;
      G.fill(0, gb, gb + P);
      for (let l = 0; l < L; l++) dvPlus[l].fill(0);
      for (let t = T - 1; t >= 0; t--) {
        for (let l = L - 1; l >= 0; l--) {
          const N = sizes[l];
          const o = (b * T + t) * N;
          if (lay.dyOff[l] < 0) gS.fill(F[lay.dycOff + l], 0, N);
          else {
            const dyo = lay.dyOff[l] + o;
            for (let n = 0; n < N; n++) gS[n] = F[dyo + n];
          }
          // dL/ds^l_t += W_{l+1}·dI^{l+1}_t (+ W_rec·dI^l_{t+1}).
          if (l < L - 1) addRows(F, lay.wtOff[l + 1], sizes[l + 1], dHist[l + 1], t * sizes[l + 1], N, gS, nzIdx, nzVal);
          if (rec[l] && t < T - 1) addRows(F, lay.recTOff[l], N, dHist[l], (t + 1) * N, N, gS, nzIdx, nzVal);
          const vo = lay.vOff[l] + o;
          const bo = lay.betaOff[l];
          const theta = lay.theta[l];
          const sub = lay.subtractive[l];
          const ceil = lay.ceiling[l];
          const kind = lay.surKind[l];
          const p = lay.surParam[l];
          const dvp = dvPlus[l];
          const d = dHist[l];
          const dO = t * N;
          const lb = learnBeta[l];
          const gbo = gb + lay.gbetaOff[l];
          for (let n = 0; n < N; n++) {
            const v = F[vo + n];
            // Spike detached on the reset path: dv⁺ passes below θ, and through a subtractive reset
            // unless the ceiling bound.
            let dv = v < theta || (sub && fround(v - theta) < ceil) ? dvp[n] : 0;
            const g = gS[n];
            if (g !== 0) dv += g * sg(kind, p, v - theta);
            const du = v > 0 ? dv : 0;
            d[dO + n] = du;
            dvp[n] = du * F[bo + n];
            if (lb && t > 0 && du !== 0) {
              // dβ += du_t·v⁺_{t−1}, v⁺ after the layer's reset.
              const vprev = F[vo - N + n];
              const vpp = vprev < theta ? vprev : sub ? Math.min(ceil, fround(vprev - theta)) : 0;
              if (vpp !== 0) G[gbo + n] += du * vpp;
            }
          }
          if (l === 0) {
            // dL/dx, and the diagonal frontend's weight gradient.
            const xo = lay.xOff + (b * T + t) * C;
            const dxo = lay.dxOff + (b * T + t) * C;
            const w = lay.wOff[0];
            if (lay.inputDiag) {
              const gw = gb + lay.gwOff[0];
              for (let n = 0; n < N; n++) G[gw + n] += d[dO + n] * F[xo + n];
              if (inputGrad) for (let n = 0; n < N; n++) F[dxo + n] = d[dO + n] * F[w + n];
            } else if (inputGrad) {
              for (let k = 0; k < C; k++) {
                const wr = w + k * N;
                let acc = 0;
                for (let n = 0; n < N; n++) acc += d[dO + n] * F[wr + n];
                F[dxo + k] = acc;
              }
            }
          }
        }
      }
      // Weight gradients, once per sample: only rows whose input was non-zero.
      for (let l = 0; l < L; l++) {
        const N = sizes[l];
        const H = dHist[l];
        const gw = gb + lay.gwOff[l];
        if (l === 0) {
          if (!lay.inputDiag) {
            const xb = lay.xOff + b * T * C;
            for (let k = 0; k < C; k++) {
              const row = gw + k * N;
              for (let t = 0; t < T; t++) {
                const xv = F[xb + t * C + k];
                if (xv === 0) continue;
                const h = t * N;
                for (let n = 0; n < N; n++) G[row + n] += xv * H[h + n];
              }
            }
          }
        } else {
          const N0 = sizes[l - 1];
          spikeTimes(F, lay.sOff[l - 1] + b * T * N0, N0, T, times, count, T);
          spikeOuter(G, gw, N0, N, H, 0, times, count, T);
        }
        if (rec[l]) {
          // s^l_{t−1} meets dI^l_t.
          spikeTimes(F, lay.sOff[l] + b * T * N, N, T - 1, times, count, T);
          spikeOuter(G, gb + lay.grecOff[l], N, N, H, 1, times, count, T);
        }
      }
    }
  }

  return { forward, backward };
}

/**
 * Writes the transposed weights the backward reads (`wtOff`, `recTOff`) from the weights in the
 * arena; call it after the weights are loaded and before the backward.
 * @param lay - layout of the call
 * @param F - float32 arena
 */
export function transposeWeights(lay: NetLayout, F: Float32Array): void {
  const { sizes } = lay;
  const tr = (src: number, dst: number, rows: number, cols: number): void => {
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) F[dst + c * rows + r] = F[src + r * cols + c];
  };
  for (let l = 1; l < sizes.length; l++) tr(lay.wOff[l], lay.wtOff[l], sizes[l - 1], sizes[l]);
  for (let l = 0; l < sizes.length; l++) if (lay.rec[l]) tr(lay.recOff[l], lay.recTOff[l], sizes[l], sizes[l]);
}

/**
 * Computes the arena layout of one call.
 * @param spec - shapes and per-layer settings
 * @returns offsets and arena sizes
 */
export function netLayout(spec: NetSpec): NetLayout {
  const { B, T, C, sizes, inputDiag } = spec;
  let f = 0;
  const take = (n: number): number => {
    const o = f;
    f += n;
    return o;
  };
  const xOff = take(B * T * C);
  const inSize = (l: number): number => (l === 0 ? (inputDiag ? 1 : C) : sizes[l - 1]);
  const wOff = sizes.map((n, l) => take(l === 0 && inputDiag ? C : inSize(l) * n));
  const wtOff = sizes.map((n, l) => (l === 0 ? -1 : take(inSize(l) * n)));
  const recOff = sizes.map((n, l) => (spec.rec[l] ? take(n * n) : -1));
  const recTOff = sizes.map((n, l) => (spec.rec[l] ? take(n * n) : -1));
  const betaOff = sizes.map((n) => take(n));
  const sOff = sizes.map((n) => take(B * T * n));
  const vOff = sizes.map((n) => take(B * T * n));
  const dyOff = sizes.map((n, l) => (spec.constHiddenDy && l < sizes.length - 1 ? -1 : take(B * T * n)));
  const dycOff = take(sizes.length);
  const cntOff = take(B * sizes.length);
  const dxOff = take(spec.inputGrad === false ? 0 : B * T * C);
  let g = 0;
  const gtake = (n: number): number => {
    const o = g;
    g += n;
    return o;
  };
  const gwOff = sizes.map((n, l) => gtake(l === 0 && inputDiag ? C : inSize(l) * n));
  const grecOff = sizes.map((n, l) => (spec.rec[l] ? gtake(n * n) : -1));
  const gbetaOff = sizes.map((n) => gtake(n));
  return {
    ...spec,
    xOff,
    wOff,
    wtOff,
    recOff,
    recTOff,
    betaOff,
    sOff,
    vOff,
    dyOff,
    dycOff,
    cntOff,
    dxOff,
    f32Size: f,
    P: g,
    gwOff,
    grecOff,
    gbetaOff,
    f64Size: B * g,
  };
}
