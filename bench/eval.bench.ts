/**
 * `nwave eval` throughput: 1,000 one-second clips (the committed speech clips, looped, written as
 * WAV files to a temp folder) on the tutorial-size 13-64-2 network. Prints clips per second for
 * the clip evaluation (read WAV, filterbank, fixed-point network, decision), the cost of one
 * simulated chip in the mismatch Monte Carlo, and the streaming evaluation's real-time factor.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NwaveModel } from '../runtime/src/index.js';
import { encodeWav16 } from '../runtime/src/wav.js';
import { classifyAll, evaluateMismatch } from '../cli/src/eval/evaluate-mismatch.js';
import { runEvaluation } from '../cli/src/eval/run-eval.js';
import { fmt, speechMaterial, tutorialSizeCheckpoint } from './bench-utils.js';

const CLIPS = 1000;

/** Writes `n` 1 s clips into `<dir>/yes|no|_unknown_/spk<k>_nohash_<i>.wav`. */
function writeClips(dir: string, n: number): void {
  const rate = 16000;
  const audio = speechMaterial(n, rate);
  const folders = ['yes', 'no', '_unknown_'];
  for (const f of folders) mkdirSync(path.join(dir, f), { recursive: true });
  for (let i = 0; i < n; i++) {
    const file = path.join(dir, folders[i % 3], `spk${i % 37}_nohash_${i}.wav`);
    writeFileSync(file, encodeWav16(audio.subarray(i * rate, (i + 1) * rate), rate));
  }
}

export async function benchEval(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nwave-eval-bench-'));
  try {
    writeClips(dir, CLIPS);
    const ck = tutorialSizeCheckpoint();
    // A background class so the folder mapping and rejection paths run as on a real model.
    const model = new NwaveModel({ ...ck, backgroundLabels: ['no'] });

    // Warm-up on a few clips so the timed run measures steady-state JIT code.
    runEvaluation(model, 'bench', { data: dir, maxClips: 50, streamHours: 0, chips: 0 });
    const t0 = performance.now();
    const r = runEvaluation(model, 'bench', { data: dir, streamHours: 0, chips: 0 });
    const totalS = (performance.now() - t0) / 1000;
    const clips = r.data.clips;

    const t1 = performance.now();
    classifyAll(model, clips);
    const classifyS = (performance.now() - t1) / 1000;

    const chips = 4;
    const t2 = performance.now();
    evaluateMismatch(model, clips, { chips, seed: 1, levels: [0.036] });
    const perChipS = (performance.now() - t2) / 1000 / chips;

    const t3 = performance.now();
    const s = runEvaluation(model, 'bench', { data: dir, streamHours: 0.1, chips: 0 }).summary.streaming!;
    const streamS = (performance.now() - t3) / 1000;

    console.log(`\n## nwave eval (13-64-2 network, ${clips.length} clips of 1 s, one core)`);
    console.log(`clip evaluation (read WAV + filterbank + network + decision): ${fmt(totalS)} s, ${fmt(clips.length / totalS)} clips/s`);
    console.log(`  network + decision only (features cached): ${fmt(clips.length / classifyS)} clips/s`);
    console.log(
      `mismatch Monte Carlo: ${fmt(perChipS)} s per simulated chip over ${clips.length} clips (20 chips x 5 levels ~ ${fmt(perChipS * 100)} s)`,
    );
    console.log(`streaming: ${fmt(s.hours * 60)} min stream, ${fmt(s.realTimeFactor)}x real time, whole run incl. clips ${fmt(streamS)} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
