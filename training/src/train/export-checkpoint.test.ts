import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '@nwave/runtime';
import { buildNetwork } from './build-network.js';
import { networkToCheckpoint } from './export-checkpoint.js';
import { applyHardConstraints } from './sign-projection.js';
import { DEFAULT_TRAIN_CONFIG } from './train-config.js';
import { TEST_FILTERBANK } from './trainer-fixtures.test-helper.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('export of recurrent networks with learnt taus', () => {
  it('writes recurrentWeights on the weights grid and the learnt per-neuron taus', () => {
    const cfg = { ...DEFAULT_TRAIN_CONFIG, hidden: [20, 10], recurrent: true, learnTaus: true };
    const net = buildNetwork(13, 2, cfg, 0.008);
    const [, h1, h2, out] = net.hwLayers();
    expect(h1.recurrent?.nb_inputs).toBe(20);
    expect(h2.recurrent?.nb_outputs).toBe(10);
    expect(out.recurrent).toBeNull();
    // Move the learnt taus off their init, and out of range (clamped by the hard constraints).
    tf.tidy(() => h1.logTau!.assign(tf.add(h1.logTau!, tf.linspace(-0.5, 0.5, 20))));
    tf.tidy(() => out.logTau!.assign(tf.tensor1d([Math.log(5), Math.log(0.03)])));
    applyHardConstraints(net, { signGroups: true });
    const ck = networkToCheckpoint(net, {
      name: 'rec',
      labels: ['a', 'b'],
      backgroundLabels: [],
      filterbank: TEST_FILTERBANK,
      allowViolations: true,
    });
    const layers = ck.network.layers;
    const dense = layers.filter((l) => l.type === 'dense');
    expect(dense.map((l) => l.type === 'dense' && l.recurrentWeights !== undefined)).toEqual([true, true, false]);
    const rec = dense[0].type === 'dense' ? dense[0].recurrentWeights! : null;
    expect(rec!.codes).toHaveLength(20 * 20);
    expect(rec!.bits).toBe(dense[0].weights.bits);
    expect(rec!.wMax).toBe(dense[0].weights.wMax);
    expect(rec!.codes.some((c) => c !== 0)).toBe(true);
    // Codes are the runtime's quantization of the float recurrent weights.
    const w = h1.recurrent!.quantizedWeights();
    expect(rec!.codes).toEqual(Array.from(w.codes!));
    // Per-neuron learnt taus, clamped to [1 ms, 1 s].
    const taus = dense[0].neuron.tausS as number[];
    expect(taus).toHaveLength(20);
    taus.forEach((t, i) => expect(t).toBeCloseTo(h1.currentTaus()[i], 6));
    expect(new Set(taus.map((t) => t.toFixed(6))).size).toBe(20);
    expect(dense[2].neuron.tausS).toEqual([expect.closeTo(1, 5), expect.closeTo(0.03, 6)]);
    // Round trip through the runtime's schema.
    expect(parseCheckpoint(JSON.parse(JSON.stringify(ck)), 'rec.json').network.layers).toEqual(layers);
    net.dispose();
  });
});
