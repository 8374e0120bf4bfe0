// AssemblyScript source of the WebAssembly SIMD network kernel: the same forward and BPTT
// backward as `createNetKernel` (training/src/kernels/cpu/HwNetworkScan.ts), operation for
// operation in the same order and precision, so its results are bit-identical to the JS kernel
// (float64 sums of float32 values as f64x2 lanes; the JS Math.exp is imported for the sigmoid
// surrogate). Everything lives in the imported shared memory: the arenas (F float32, G float64),
// a descriptor of the layout written by the host (`wasm-net-kernel.ts`: slot numbers below) and
// one scratch block per thread. No allocation, no runtime (`--runtime stub`).
//
// Build: `npm run build:wasm -w training` (see training/README.md, "WebAssembly kernel").

@external("env", "exp")
declare function jsExp(x: f64): f64;

// Header slots (i32) of the descriptor.
const H_B = 0;
const H_T = 1;
const H_C = 2;
const H_DIAG = 3;
const H_L = 4;
const H_INGRAD = 5;
const H_X = 6;
const H_DYC = 7;
const H_CNT = 8;
const H_DX = 9;
const H_P = 10;
const H_G = 11;
// Scratch offsets (bytes, from the thread's scratch base).
const S_ACC = 16;
const S_NACT = 17;
const S_NACTPREV = 18;
const S_GS = 19;
const S_NZIDX = 20;
const S_NZVAL = 21;
const S_TIMES = 22;
const S_COUNT = 23;
const S_ACTPTR = 24;
const S_ACTPREVPTR = 25;
// Per-layer slots, from slot LAYER0 + l·LAYER_SLOTS.
const LAYER0 = 32;
const LAYER_SLOTS = 24;
const L_N = 0;
const L_REC = 1;
const L_LB = 2;
const L_SUB = 3;
const L_KIND = 4;
const L_W = 5;
const L_WT = 6;
const L_RECW = 7;
const L_RECT = 8;
const L_BETA = 9;
const L_S = 10;
const L_V = 11;
const L_DY = 12;
const L_GW = 13;
const L_GREC = 14;
const L_GBETA = 15;
const L_VPLUS = 16;
const L_CUR = 17;
const L_RC = 18;
const L_ACTA = 19;
const L_ACTB = 20;
const L_DVPLUS = 21;
const L_DHIST = 22;
// float64 per-layer values at byte F64_AREA + l·32: θ, ceiling, surrogate parameter, θ↑ (the least float32 ≥ θ).
const F64_AREA: usize = 4096;

const BLOCK: i32 = 48;

@inline function hd(d: usize, i: i32): i32 {
  return load<i32>(d + (<usize>i << 2));
}
@inline function ly(d: usize, l: i32, i: i32): i32 {
  return load<i32>(d + (<usize>(LAYER0 + l * LAYER_SLOTS + i) << 2));
}
@inline function lf(d: usize, l: i32, i: i32): f64 {
  return load<f64>(d + F64_AREA + (<usize>(l * 4 + i) << 3));
}
@inline function f32At(p: usize, i: i32): f64 {
  return <f64>load<f32>(p + (<usize>i << 2));
}
/** Two float32 at `p` as an f64x2. */
@inline function ld2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

function zeroF64(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 3);
}
function zeroF32(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 2);
}

/** `out[n] = fround(out[n] + acc[n])` (float32 out, float64 acc). */
function flush(out: usize, acc: usize, N: i32): void {
  let n = 0;
  for (; n + 1 < N; n += 2) {
    const o = ld2(out + (<usize>n << 2));
    const a = v128.load(acc + (<usize>n << 3));
    v128.store64_lane(out + (<usize>n << 2), f32x4.demote_f64x2_zero(f64x2.add(o, a)), 0);
  }
  for (; n < N; n++) {
    const po = out + (<usize>n << 2);
    store<f32>(po, <f32>(<f64>load<f32>(po) + load<f64>(acc + (<usize>n << 3))));
  }
}

/** Sum of the weight rows of the active inputs, float64 blocks of 48 rows (as tfjs' matMul). */
function sumRows(w: usize, a: usize, na: i32, N: i32, out: usize, acc: usize): void {
  zeroF32(out, N);
  zeroF64(acc, N);
  let blockEnd = BLOCK;
  const rowBytes = <usize>N << 2;
  for (let i = 0; i < na; i++) {
    const k = load<i32>(a + (<usize>i << 2));
    if (k >= blockEnd) {
      flush(out, acc, N);
      zeroF64(acc, N);
      blockEnd = (k / BLOCK + 1) * BLOCK;
    }
    const r0 = w + <usize>k * rowBytes;
    const k1 = i + 1 < na ? load<i32>(a + (<usize>(i + 1) << 2)) : blockEnd;
    const k2 = i + 2 < na ? load<i32>(a + (<usize>(i + 2) << 2)) : blockEnd;
    const k3 = i + 3 < na ? load<i32>(a + (<usize>(i + 3) << 2)) : blockEnd;
    if (k3 < blockEnd) {
      const r1 = w + <usize>k1 * rowBytes;
      const r2 = w + <usize>k2 * rowBytes;
      const r3 = w + <usize>k3 * rowBytes;
      let n = 0;
      for (; n + 1 < N; n += 2) {
        const q = <usize>n << 2;
        const pa = acc + (<usize>n << 3);
        const s = f64x2.add(f64x2.add(ld2(r0 + q), ld2(r1 + q)), f64x2.add(ld2(r2 + q), ld2(r3 + q)));
        v128.store(pa, f64x2.add(v128.load(pa), s));
      }
      for (; n < N; n++) {
        const pa = acc + (<usize>n << 3);
        store<f64>(pa, load<f64>(pa) + (f32At(r0, n) + f32At(r1, n) + (f32At(r2, n) + f32At(r3, n))));
      }
      i += 3;
    } else if (k1 < blockEnd) {
      const r1 = w + <usize>k1 * rowBytes;
      let n = 0;
      for (; n + 1 < N; n += 2) {
        const q = <usize>n << 2;
        const pa = acc + (<usize>n << 3);
        v128.store(pa, f64x2.add(v128.load(pa), f64x2.add(ld2(r0 + q), ld2(r1 + q))));
      }
      for (; n < N; n++) {
        const pa = acc + (<usize>n << 3);
        store<f64>(pa, load<f64>(pa) + (f32At(r0, n) + f32At(r1, n)));
      }
      i += 1;
    } else {
      let n = 0;
      for (; n + 1 < N; n += 2) {
        const pa = acc + (<usize>n << 3);
        v128.store(pa, f64x2.add(v128.load(pa), ld2(r0 + (<usize>n << 2))));
      }
      for (; n < N; n++) {
        const pa = acc + (<usize>n << 3);
        store<f64>(pa, load<f64>(pa) + f32At(r0, n));
      }
    }
  }
  flush(out, acc, N);
}

export function forward(d: usize, s: usize, b0: i32, b1: i32): void {
  const T = hd(d, H_T);
  const C = hd(d, H_C);
  const L = hd(d, H_L);
  const diag = hd(d, H_DIAG) != 0;
  const xAddr = <usize>hd(d, H_X);
  const cnt = <usize>hd(d, H_CNT);
  const acc = s + <usize>hd(d, S_ACC);
  const nAct = s + <usize>hd(d, S_NACT);
  const nActPrev = s + <usize>hd(d, S_NACTPREV);
  const actP = s + <usize>hd(d, S_ACTPTR);
  const actPrevP = s + <usize>hd(d, S_ACTPREVPTR);
  for (let l = 0; l < L; l++) {
    store<i32>(actP + (<usize>l << 2), <i32>(s + <usize>ly(d, l, L_ACTA)));
    store<i32>(actPrevP + (<usize>l << 2), <i32>(s + <usize>ly(d, l, L_ACTB)));
  }
  for (let b = b0; b < b1; b++) {
    for (let l = 0; l < L; l++) {
      zeroF32(s + <usize>ly(d, l, L_VPLUS), ly(d, l, L_N));
      store<i32>(nActPrev + (<usize>l << 2), 0);
      store<f32>(cnt + (<usize>(b * L + l) << 2), 0);
    }
    for (let t = 0; t < T; t++) {
      for (let l = 0; l < L; l++) {
        const N = ly(d, l, L_N);
        const I = s + <usize>ly(d, l, L_CUR);
        const w = <usize>ly(d, l, L_W);
        if (l == 0) {
          const xo = xAddr + (<usize>((b * T + t) * C) << 2);
          if (diag) {
            let n = 0;
            for (; n + 3 < N; n += 4) {
              const q = <usize>n << 2;
              v128.store(I + q, f32x4.mul(v128.load(xo + q), v128.load(w + q)));
            }
            for (; n < N; n++) {
              const q = <usize>n << 2;
              store<f32>(I + q, load<f32>(xo + q) * load<f32>(w + q));
            }
          } else {
            zeroF32(I, N);
            zeroF64(acc, N);
            let blockEnd = BLOCK;
            for (let k = 0; k < C; k++) {
              if (k >= blockEnd) {
                flush(I, acc, N);
                zeroF64(acc, N);
                blockEnd += BLOCK;
              }
              const xv = <f64>load<f32>(xo + (<usize>k << 2));
              if (xv == 0) continue;
              const row = w + (<usize>(k * N) << 2);
              const xs = f64x2.splat(xv);
              let n = 0;
              for (; n + 1 < N; n += 2) {
                const pa = acc + (<usize>n << 3);
                v128.store(pa, f64x2.add(v128.load(pa), f64x2.mul(xs, ld2(row + (<usize>n << 2)))));
              }
              for (; n < N; n++) {
                const pa = acc + (<usize>n << 3);
                store<f64>(pa, load<f64>(pa) + xv * f32At(row, n));
              }
            }
            flush(I, acc, N);
          }
        } else {
          const aPrevLayer = <usize>load<i32>(actP + (<usize>(l - 1) << 2));
          sumRows(w, aPrevLayer, load<i32>(nAct + (<usize>(l - 1) << 2)), N, I, acc);
        }
        if (ly(d, l, L_REC) != 0) {
          const R = s + <usize>ly(d, l, L_RC);
          const ap = <usize>load<i32>(actPrevP + (<usize>l << 2));
          sumRows(<usize>ly(d, l, L_RECW), ap, load<i32>(nActPrev + (<usize>l << 2)), N, R, acc);
          let n = 0;
          for (; n + 3 < N; n += 4) {
            const q = <usize>n << 2;
            v128.store(I + q, f32x4.add(v128.load(I + q), v128.load(R + q)));
          }
          for (; n < N; n++) {
            const q = <usize>n << 2;
            store<f32>(I + q, load<f32>(I + q) + load<f32>(R + q));
          }
        }
        const vp = s + <usize>ly(d, l, L_VPLUS);
        const bo = <usize>ly(d, l, L_BETA);
        const theta = lf(d, l, 0);
        const sub = ly(d, l, L_SUB) != 0;
        const ceil = lf(d, l, 1);
        const o = <usize>((b * T + t) * N) << 2;
        const so = <usize>ly(d, l, L_S) + o;
        const vo = <usize>ly(d, l, L_V) + o;
        const a = <usize>load<i32>(actP + (<usize>l << 2));
        // Four neurons per pass: u = β·v⁺ + I and v = max(0, u) in float32 as the JS kernel;
        // v ≥ θ (θ a float64) is v ≥ θ↑, the least float32 ≥ θ. Spiking lanes (few) are finished
        // one by one: their index joins the active list, v⁺ is reset (a subtractive reset in float64).
        const thUp = f32x4.splat(<f32>lf(d, l, 3));
        const zero = f32x4.splat(0);
        const one = f32x4.splat(1);
        let na = 0;
        let n = 0;
        for (; n + 3 < N; n += 4) {
          const q = <usize>n << 2;
          const u = f32x4.add(f32x4.mul(v128.load(bo + q), v128.load(vp + q)), v128.load(I + q));
          const v = f32x4.max(u, zero);
          v128.store(vo + q, v);
          const spk = f32x4.ge(v, thUp);
          v128.store(so + q, v128.and(one, spk));
          v128.store(vp + q, v128.andnot(v, spk));
          let mask = i32x4.bitmask(spk);
          while (mask != 0) {
            const j = n + ctz<i32>(mask);
            mask &= mask - 1;
            if (sub) {
              const pj = vp + (<usize>j << 2);
              store<f32>(pj, <f32>min<f64>(ceil, <f64>(<f32>(<f64>load<f32>(vo + (<usize>j << 2)) - theta))));
            }
            store<i32>(a + (<usize>na << 2), j);
            na++;
          }
        }
        for (; n < N; n++) {
          const q = <usize>n << 2;
          const u: f32 = load<f32>(bo + q) * load<f32>(vp + q) + load<f32>(I + q);
          const v: f32 = u > 0 ? u : 0;
          store<f32>(vo + q, v);
          if (<f64>v >= theta) {
            store<f32>(so + q, 1);
            store<f32>(vp + q, sub ? <f32>min<f64>(ceil, <f64>(<f32>(<f64>v - theta))) : 0);
            store<i32>(a + (<usize>na << 2), n);
            na++;
          } else {
            store<f32>(so + q, 0);
            store<f32>(vp + q, v);
          }
        }
        store<i32>(nAct + (<usize>l << 2), na);
        const pc = cnt + (<usize>(b * L + l) << 2);
        store<f32>(pc, load<f32>(pc) + <f32>na);
      }
      // This step's spikes become the recurrent input of the next step.
      for (let l = 0; l < L; l++) {
        if (ly(d, l, L_REC) == 0) continue;
        const pa = actP + (<usize>l << 2);
        const pp = actPrevP + (<usize>l << 2);
        const tmp = load<i32>(pp);
        store<i32>(pp, load<i32>(pa));
        store<i32>(pa, tmp);
        store<i32>(nActPrev + (<usize>l << 2), load<i32>(nAct + (<usize>l << 2)));
      }
    }
  }
}

/** `out[n] += Σ_m d[m]·Wt[m, n]` over the non-zero `d[m]`, eight then four rows at a time (same order as the JS kernel). */
function addRows(wt: usize, M: i32, dRow: usize, N: i32, out: usize, idx: usize, val: usize): void {
  let nz = 0;
  const rowBytes = <usize>N << 2;
  // The non-zero rows, in order (two compares per pass; most rows are non-zero in the BPTT).
  let m = 0;
  const zero = f64x2.splat(0);
  for (; m + 1 < M; m += 2) {
    let mask = i64x2.bitmask(f64x2.ne(v128.load(dRow + (<usize>m << 3)), zero));
    while (mask != 0) {
      const r = m + ctz<i32>(mask);
      mask &= mask - 1;
      store<i32>(idx + (<usize>nz << 2), <i32>(wt + <usize>r * rowBytes));
      store<f64>(val + (<usize>nz << 3), load<f64>(dRow + (<usize>r << 3)));
      nz++;
    }
  }
  for (; m < M; m++) {
    const g = load<f64>(dRow + (<usize>m << 3));
    if (g != 0) {
      store<i32>(idx + (<usize>nz << 2), <i32>(wt + <usize>m * rowBytes));
      store<f64>(val + (<usize>nz << 3), g);
      nz++;
    }
  }
  let j = 0;
  for (; j + 7 < nz; j += 8) {
    const ip = idx + (<usize>j << 2);
    const vp = val + (<usize>j << 3);
    const r0 = <usize>load<i32>(ip);
    const r1 = <usize>load<i32>(ip, 4);
    const r2 = <usize>load<i32>(ip, 8);
    const r3 = <usize>load<i32>(ip, 12);
    const r4 = <usize>load<i32>(ip, 16);
    const r5 = <usize>load<i32>(ip, 20);
    const r6 = <usize>load<i32>(ip, 24);
    const r7 = <usize>load<i32>(ip, 28);
    const g0 = load<f64>(vp);
    const g1 = load<f64>(vp, 8);
    const g2 = load<f64>(vp, 16);
    const g3 = load<f64>(vp, 24);
    const g4 = load<f64>(vp, 32);
    const g5 = load<f64>(vp, 40);
    const g6 = load<f64>(vp, 48);
    const g7 = load<f64>(vp, 56);
    const v0 = f64x2.splat(g0);
    const v1 = f64x2.splat(g1);
    const v2 = f64x2.splat(g2);
    const v3 = f64x2.splat(g3);
    const v4 = f64x2.splat(g4);
    const v5 = f64x2.splat(g5);
    const v6 = f64x2.splat(g6);
    const v7 = f64x2.splat(g7);
    let n = 0;
    for (; n + 1 < N; n += 2) {
      const q = <usize>n << 2;
      const a = f64x2.add(
        f64x2.add(f64x2.add(f64x2.mul(v0, ld2(r0 + q)), f64x2.mul(v1, ld2(r1 + q))), f64x2.add(f64x2.mul(v2, ld2(r2 + q)), f64x2.mul(v3, ld2(r3 + q)))),
        f64x2.add(f64x2.add(f64x2.mul(v4, ld2(r4 + q)), f64x2.mul(v5, ld2(r5 + q))), f64x2.add(f64x2.mul(v6, ld2(r6 + q)), f64x2.mul(v7, ld2(r7 + q)))),
      );
      const po = out + (<usize>n << 3);
      v128.store(po, f64x2.add(v128.load(po), a));
    }
    for (; n < N; n++) {
      const po = out + (<usize>n << 3);
      store<f64>(
        po,
        load<f64>(po) +
          (g0 * f32At(r0, n) + g1 * f32At(r1, n) + (g2 * f32At(r2, n) + g3 * f32At(r3, n)) +
            (g4 * f32At(r4, n) + g5 * f32At(r5, n) + (g6 * f32At(r6, n) + g7 * f32At(r7, n)))),
      );
    }
  }
  for (; j + 3 < nz; j += 4) {
    const ip = idx + (<usize>j << 2);
    const vp = val + (<usize>j << 3);
    const r0 = <usize>load<i32>(ip);
    const r1 = <usize>load<i32>(ip, 4);
    const r2 = <usize>load<i32>(ip, 8);
    const r3 = <usize>load<i32>(ip, 12);
    const g0 = load<f64>(vp);
    const g1 = load<f64>(vp, 8);
    const g2 = load<f64>(vp, 16);
    const g3 = load<f64>(vp, 24);
    const v0 = f64x2.splat(g0);
    const v1 = f64x2.splat(g1);
    const v2 = f64x2.splat(g2);
    const v3 = f64x2.splat(g3);
    let n = 0;
    for (; n + 1 < N; n += 2) {
      const q = <usize>n << 2;
      const a = f64x2.add(f64x2.add(f64x2.mul(v0, ld2(r0 + q)), f64x2.mul(v1, ld2(r1 + q))), f64x2.add(f64x2.mul(v2, ld2(r2 + q)), f64x2.mul(v3, ld2(r3 + q))));
      const po = out + (<usize>n << 3);
      v128.store(po, f64x2.add(v128.load(po), a));
    }
    for (; n < N; n++) {
      const po = out + (<usize>n << 3);
      store<f64>(po, load<f64>(po) + (g0 * f32At(r0, n) + g1 * f32At(r1, n) + (g2 * f32At(r2, n) + g3 * f32At(r3, n))));
    }
  }
  for (; j < nz; j++) {
    const r = <usize>load<i32>(idx + (<usize>j << 2));
    const g = load<f64>(val + (<usize>j << 3));
    const v = f64x2.splat(g);
    let n = 0;
    for (; n + 1 < N; n += 2) {
      const po = out + (<usize>n << 3);
      v128.store(po, f64x2.add(v128.load(po), f64x2.mul(v, ld2(r + (<usize>n << 2)))));
    }
    for (; n < N; n++) {
      const po = out + (<usize>n << 3);
      store<f64>(po, load<f64>(po) + g * f32At(r, n));
    }
  }
}

/** `G[g + k·N + n] += Σ_{t ∈ times(k)} H[(t + shift)·N + n]`, four steps per pass (same order as the JS kernel). */
function spikeOuter(G: usize, K: i32, N: i32, H: usize, shift: i32, times: usize, count: usize, T: i32): void {
  const rowBytes = <usize>N << 3;
  for (let k = 0; k < K; k++) {
    const c = load<i32>(count + (<usize>k << 2));
    if (c == 0) continue;
    const row = G + <usize>k * rowBytes;
    const tb = times + (<usize>(k * T) << 2);
    let i = 0;
    for (; i + 3 < c; i += 4) {
      const p = tb + (<usize>i << 2);
      const h0 = H + <usize>(load<i32>(p) + shift) * rowBytes;
      const h1 = H + <usize>(load<i32>(p, 4) + shift) * rowBytes;
      const h2 = H + <usize>(load<i32>(p, 8) + shift) * rowBytes;
      const h3 = H + <usize>(load<i32>(p, 12) + shift) * rowBytes;
      let n = 0;
      for (; n + 1 < N; n += 2) {
        const q = <usize>n << 3;
        const s = f64x2.add(f64x2.add(v128.load(h0 + q), v128.load(h1 + q)), f64x2.add(v128.load(h2 + q), v128.load(h3 + q)));
        v128.store(row + q, f64x2.add(v128.load(row + q), s));
      }
      for (; n < N; n++) {
        const q = <usize>n << 3;
        store<f64>(row + q, load<f64>(row + q) + (load<f64>(h0 + q) + load<f64>(h1 + q) + (load<f64>(h2 + q) + load<f64>(h3 + q))));
      }
    }
    for (; i < c; i++) {
      const h = H + <usize>(load<i32>(tb + (<usize>i << 2)) + shift) * rowBytes;
      let n = 0;
      for (; n + 1 < N; n += 2) {
        const q = <usize>n << 3;
        v128.store(row + q, f64x2.add(v128.load(row + q), v128.load(h + q)));
      }
      for (; n < N; n++) {
        const q = <usize>n << 3;
        store<f64>(row + q, load<f64>(row + q) + load<f64>(h + q));
      }
    }
  }
}

/**
 * Per neuron of a `[T, K]` spike block at `so`, the steps `t < tEnd` it spiked (the JS kernel's
 * lists): four neurons per compare, then only the spiking lanes (spikes are sparse).
 */
function spikeTimes(so: usize, K: i32, tEnd: i32, times: usize, count: usize, T: i32): void {
  memory.fill(count, 0, <usize>K << 2);
  const zero = f32x4.splat(0);
  for (let t = 0; t < tEnd; t++) {
    const o = so + (<usize>(t * K) << 2);
    let k = 0;
    for (; k + 3 < K; k += 4) {
      let mask = i32x4.bitmask(f32x4.ne(v128.load(o + (<usize>k << 2)), zero));
      while (mask != 0) {
        const j = k + ctz<i32>(mask);
        mask &= mask - 1;
        const pc = count + (<usize>j << 2);
        const c = load<i32>(pc);
        store<i32>(times + (<usize>(j * T + c) << 2), t);
        store<i32>(pc, c + 1);
      }
    }
    for (; k < K; k++) {
      if (load<f32>(o + (<usize>k << 2)) == 0) continue;
      const pc = count + (<usize>k << 2);
      const c = load<i32>(pc);
      store<i32>(times + (<usize>(k * T + c) << 2), t);
      store<i32>(pc, c + 1);
    }
  }
}

@inline function sg(kind: i32, p: f64, x: f64): f64 {
  if (kind == 0) {
    const d = p * abs<f64>(x) + 1;
    return 1 / (d * d);
  }
  if (kind == 1) {
    const z = (Math.PI / 2) * p * x;
    return p / 2 / (1 + z * z);
  }
  const e = jsExp(-p * abs<f64>(x));
  const d = e + 1;
  return (p * e) / (d * d);
}

export function backward(d: usize, s: usize, b0: i32, b1: i32): void {
  const T = hd(d, H_T);
  const C = hd(d, H_C);
  const L = hd(d, H_L);
  const diag = hd(d, H_DIAG) != 0;
  const inputGrad = hd(d, H_INGRAD) != 0;
  const xAddr = <usize>hd(d, H_X);
  const dyc = <usize>hd(d, H_DYC);
  const dxAddr = <usize>hd(d, H_DX);
  const P = hd(d, H_P);
  const Gbase = <usize>hd(d, H_G);
  const gS = s + <usize>hd(d, S_GS);
  const nzIdx = s + <usize>hd(d, S_NZIDX);
  const nzVal = s + <usize>hd(d, S_NZVAL);
  const times = s + <usize>hd(d, S_TIMES);
  const count = s + <usize>hd(d, S_COUNT);
  for (let b = b0; b < b1; b++) {
    const gb = Gbase + (<usize>(b * P) << 3);
    zeroF64(gb, P);
    for (let l = 0; l < L; l++) zeroF64(s + <usize>ly(d, l, L_DVPLUS), ly(d, l, L_N));
    for (let t = T - 1; t >= 0; t--) {
      for (let l = L - 1; l >= 0; l--) {
        const N = ly(d, l, L_N);
        const o = (b * T + t) * N;
        const dyA = ly(d, l, L_DY);
        if (dyA < 0) {
          const c = <f64>load<f32>(dyc + (<usize>l << 2));
          const cv = f64x2.splat(c);
          let n = 0;
          for (; n + 1 < N; n += 2) v128.store(gS + (<usize>n << 3), cv);
          for (; n < N; n++) store<f64>(gS + (<usize>n << 3), c);
        } else {
          const dyo = <usize>dyA + (<usize>o << 2);
          let n = 0;
          for (; n + 1 < N; n += 2) v128.store(gS + (<usize>n << 3), ld2(dyo + (<usize>n << 2)));
          for (; n < N; n++) store<f64>(gS + (<usize>n << 3), f32At(dyo, n));
        }
        const rec = ly(d, l, L_REC) != 0;
        if (l < L - 1) {
          const M = ly(d, l + 1, L_N);
          const dh = s + <usize>ly(d, l + 1, L_DHIST) + (<usize>(t * M) << 3);
          addRows(<usize>ly(d, l + 1, L_WT), M, dh, N, gS, nzIdx, nzVal);
        }
        if (rec && t < T - 1) {
          const dh = s + <usize>ly(d, l, L_DHIST) + (<usize>((t + 1) * N) << 3);
          addRows(<usize>ly(d, l, L_RECT), N, dh, N, gS, nzIdx, nzVal);
        }
        const vo = <usize>ly(d, l, L_V) + (<usize>o << 2);
        const bo = <usize>ly(d, l, L_BETA);
        const theta = lf(d, l, 0);
        const sub = ly(d, l, L_SUB) != 0;
        const ceil = lf(d, l, 1);
        const kind = ly(d, l, L_KIND);
        const p = lf(d, l, 2);
        const dvp = s + <usize>ly(d, l, L_DVPLUS);
        const dRow = s + <usize>ly(d, l, L_DHIST) + (<usize>(t * N) << 3);
        const lb = ly(d, l, L_LB) != 0;
        const gbo = gb + (<usize>ly(d, l, L_GBETA) << 3);
        let n = 0;
        if (kind != 2) {
          // Two neurons per pass (float64 lanes, the JS kernel's operations and order); selects
          // stand for its branches (no NaN or infinity here, and the gradient sums are never −0).
          const thV = f64x2.splat(theta);
          const ceilV = f64x2.splat(ceil);
          const zero = f64x2.splat(0);
          const oneV = f64x2.splat(1);
          const pV = f64x2.splat(p);
          const zc = f64x2.splat((Math.PI / 2) * p);
          const p2 = f64x2.splat(p / 2);
          const subV = i64x2.splat(sub ? -1 : 0);
          const lbOn = lb && t > 0;
          for (; n + 1 < N; n += 2) {
            const q4 = <usize>n << 2;
            const q8 = <usize>n << 3;
            const v = ld2(vo + q4);
            const x = f64x2.sub(v, thV);
            const xr = f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(x));
            const pass = v128.or(f64x2.lt(v, thV), v128.and(subV, f64x2.lt(xr, ceilV)));
            let dv = v128.and(v128.load(dvp + q8), pass);
            const g = v128.load(gS + q8);
            let sgv: v128;
            if (kind == 0) {
              const dd = f64x2.add(f64x2.mul(pV, f64x2.abs(x)), oneV);
              sgv = f64x2.div(oneV, f64x2.mul(dd, dd));
            } else {
              const z = f64x2.mul(zc, x);
              sgv = f64x2.div(p2, f64x2.add(oneV, f64x2.mul(z, z)));
            }
            dv = v128.bitselect(f64x2.add(dv, f64x2.mul(g, sgv)), dv, f64x2.ne(g, zero));
            const du = v128.and(dv, f64x2.gt(v, zero));
            v128.store(dRow + q8, du);
            v128.store(dvp + q8, f64x2.mul(du, ld2(bo + q4)));
            if (lbOn) {
              const vprev = ld2(vo - (<usize>N << 2) + q4);
              const xp = f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(f64x2.sub(vprev, thV)));
              const above = sub ? f64x2.min(ceilV, xp) : zero;
              const vpp = v128.bitselect(vprev, above, f64x2.lt(vprev, thV));
              const on = v128.and(f64x2.ne(du, zero), f64x2.ne(vpp, zero));
              const pg = gbo + q8;
              v128.store(pg, f64x2.add(v128.load(pg), v128.and(f64x2.mul(du, vpp), on)));
            }
          }
        }
        for (; n < N; n++) {
          const v = f32At(vo, n);
          const q8 = <usize>n << 3;
          let dv = v < theta || (sub && <f64>(<f32>(v - theta)) < ceil) ? load<f64>(dvp + q8) : 0;
          const g = load<f64>(gS + q8);
          if (g != 0) dv += g * sg(kind, p, v - theta);
          const du = v > 0 ? dv : 0;
          store<f64>(dRow + q8, du);
          store<f64>(dvp + q8, du * f32At(bo, n));
          if (lb && t > 0 && du != 0) {
            const vprev = f32At(vo - (<usize>N << 2), n);
            const vpp: f64 = vprev < theta ? vprev : sub ? min<f64>(ceil, <f64>(<f32>(vprev - theta))) : 0;
            if (vpp != 0) store<f64>(gbo + q8, load<f64>(gbo + q8) + du * vpp);
          }
        }
        if (l == 0) {
          const xo = xAddr + (<usize>((b * T + t) * C) << 2);
          const dxo = dxAddr + (<usize>((b * T + t) * C) << 2);
          const w = <usize>ly(d, 0, L_W);
          if (diag) {
            const gw = gb + (<usize>ly(d, 0, L_GW) << 3);
            let n = 0;
            for (; n + 1 < N; n += 2) {
              const q8 = <usize>n << 3;
              v128.store(gw + q8, f64x2.add(v128.load(gw + q8), f64x2.mul(v128.load(dRow + q8), ld2(xo + (<usize>n << 2)))));
            }
            for (; n < N; n++) {
              const q8 = <usize>n << 3;
              store<f64>(gw + q8, load<f64>(gw + q8) + load<f64>(dRow + q8) * f32At(xo, n));
            }
            if (inputGrad) for (let n = 0; n < N; n++) store<f32>(dxo + (<usize>n << 2), <f32>(load<f64>(dRow + (<usize>n << 3)) * f32At(w, n)));
          } else if (inputGrad) {
            for (let k = 0; k < C; k++) {
              const wr = w + (<usize>(k * N) << 2);
              let a: f64 = 0;
              for (let n = 0; n < N; n++) a += load<f64>(dRow + (<usize>n << 3)) * f32At(wr, n);
              store<f32>(dxo + (<usize>k << 2), <f32>a);
            }
          }
        }
      }
    }
    // Weight gradients, once per sample: only rows whose input was non-zero.
    for (let l = 0; l < L; l++) {
      const N = ly(d, l, L_N);
      const H = s + <usize>ly(d, l, L_DHIST);
      const gw = gb + (<usize>ly(d, l, L_GW) << 3);
      if (l == 0) {
        if (!diag) {
          const xb = xAddr + (<usize>(b * T * C) << 2);
          for (let k = 0; k < C; k++) {
            const row = gw + (<usize>(k * N) << 3);
            for (let t = 0; t < T; t++) {
              const xv = f32At(xb, t * C + k);
              if (xv == 0) continue;
              const h = H + (<usize>(t * N) << 3);
              const xs = f64x2.splat(xv);
              let n = 0;
              for (; n + 1 < N; n += 2) {
                const q = <usize>n << 3;
                v128.store(row + q, f64x2.add(v128.load(row + q), f64x2.mul(xs, v128.load(h + q))));
              }
              for (; n < N; n++) {
                const q = <usize>n << 3;
                store<f64>(row + q, load<f64>(row + q) + xv * load<f64>(h + q));
              }
            }
          }
        }
      } else {
        const N0 = ly(d, l - 1, L_N);
        spikeTimes(<usize>ly(d, l - 1, L_S) + (<usize>(b * T * N0) << 2), N0, T, times, count, T);
        spikeOuter(gw, N0, N, H, 0, times, count, T);
      }
      if (ly(d, l, L_REC) != 0) {
        spikeTimes(<usize>ly(d, l, L_S) + (<usize>(b * T * N) << 2), N, T - 1, times, count, T);
        spikeOuter(gb + (<usize>ly(d, l, L_GREC) << 3), N, N, H, 1, times, count, T);
      }
    }
  }
}
