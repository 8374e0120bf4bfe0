/**
 * Data of the default model (scripts/train-default-model.ts), prepared once into a cache:
 *  - `sc/`: the dev folder's class folders (symlinks) plus `validation_list.txt` /
 *    `testing_list.txt` by one fixed speaker rule, so the trainer's split is speaker-disjoint and
 *    the same as the evaluation folders';
 *  - `extra/`: 1-s windows of the TRAIN half of extra-speech at many alignments (sentences, wake
 *    words, other words, digits, noise): every one a negative, except sc-toy yes/no;
 *  - `eval/val`, `eval/test`: folders for `nwave eval`: the dev clips of validation / test
 *    speakers and, as continuous other speech, the EVAL half of the spoken sentences;
 *  - `eval/chip-calibration`: the dev clips of TRAINING speakers, the unlabeled audio that
 *    `nwave eval --chip-calibration` calibrates simulated chips on (no held-out speaker in it).
 *
 * Held-out rule: the project's (data/src/holdout-split.ts): speakers by
 * `md5(speaker) % 5` (0-2 train, 3 validation, 4 test), recordings without a speaker by
 * `md5(<source>/<folder>/<name>) % 2` (train half / held-out half, the latter split between
 * validation and test here so that validation has silence and sentences to calibrate on).
 * Audio is decoded and resampled to 16 kHz by sox.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeWav16 } from '@nwave/runtime/wav';
import { writeFileAtomicSync } from '@nwave/runtime/node';
import { mapWithConcurrency, runTool } from '../data/src/run-process.js';
import { mulberry32 } from '../data/src/mulberry32.js';
import { holdoutOf, recordingKey } from '../data/src/holdout-split.js';

const RATE = 16000;

const hash8 = (s: string) => parseInt(createHash('md5').update(s).digest('hex').slice(0, 8), 16);
export type Part = 'train' | 'val' | 'test';
/**
 * Part of any file by the project's held-out rule (holdout-split.ts): its speaker's set, else its
 * recording's half, the held-out half split between validation and test by a second hash.
 */
export const partOf = (file: string): Part => {
  const h = holdoutOf(file);
  return h !== 'eval' ? h : hash8(`split:${recordingKey(file)}`) % 2 === 0 ? 'val' : 'test';
};

const isAudio = (f: string) => /\.(wav|flac)$/i.test(f);
const dirs = (d: string) => readdirSync(d).filter((n) => !n.startsWith('.') && statSync(path.join(d, n)).isDirectory());

/** Mono 16 kHz samples of any file sox reads (FLAC, 8 kHz WAV...). */
async function decode(file: string): Promise<Float32Array> {
  // Raw little-endian 16-bit out: a WAV header on a pipe has no length.
  const r = await runTool(
    'sox',
    [file, '-r', String(RATE), '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-t', 'raw', '-'],
    120_000,
  );
  const b = r.stdoutBytes;
  const x = new Float32Array(b.length >> 1);
  for (let i = 0; i < x.length; i++) x[i] = b.readInt16LE(2 * i) / 32768;
  return x;
}

/** Window starts (samples) of `n`-sample windows over a clip of `len` samples at many alignments. */
function windowStarts(len: number, n: number, rand: () => number, maxWindows: number): number[] {
  if (len <= n * 1.25) return [Math.max(0, Math.round((len - n) / 2))];
  const starts: number[] = [];
  const stride = n / 2;
  for (let s = rand() * stride * 0.5; s + n <= len; s += stride * (0.75 + 0.5 * rand())) starts.push(Math.round(s));
  // Evenly thinned when there are too many (long recordings).
  if (starts.length > maxWindows) return Array.from({ length: maxWindows }, (_, i) => starts[Math.floor((i * starts.length) / maxWindows)]);
  return starts;
}

export interface PreparedData {
  /** Trainer data root (dev classes + official lists). */
  sc: string;
  /** Extra training folder (class folders of 1-s WAV windows). */
  extra: string;
  evalVal: string;
  evalTest: string;
  /** Keywords of validation / test speakers + continuous sentences only (streaming test). */
  streamVal: string;
  streamTest: string;
  /** Training speakers' dev clips (symlinks), for chip calibration. */
  chipCalibration: string;
  counts: Record<string, number>;
}

/**
 * Builds (once: a `.complete` marker) the cache described in the module comment.
 * @param dev - Speech Commands-layout dev folder; @param extraSpeech - the extra-speech root
 */
export async function prepareDefaultModelData(dev: string, extraSpeech: string, cache: string, seed = 7): Promise<PreparedData> {
  const out: PreparedData = {
    sc: path.join(cache, 'sc'),
    extra: path.join(cache, 'extra'),
    evalVal: path.join(cache, 'eval', 'val'),
    evalTest: path.join(cache, 'eval', 'test'),
    streamVal: path.join(cache, 'eval', 'stream-val'),
    streamTest: path.join(cache, 'eval', 'stream-test'),
    chipCalibration: path.join(cache, 'eval', 'chip-calibration'),
    counts: {},
  };
  // Two parts, each done once (its own marker): the dev split is quick, the FLAC windows are not.
  const countsFile = path.join(cache, 'counts.json');
  const counts = JSON.parse(readText(countsFile)) as Record<string, number>;
  const bump = (k: string, n = 1) => (counts[k] = (counts[k] ?? 0) + n);
  if (!existsSync(path.join(out.sc, '.complete'))) {
    for (const k of Object.keys(counts)) if (k.startsWith('dev/')) delete counts[k];
    prepareDev(dev, out, bump);
    mkdirSync(path.join(out.sc, '.complete'));
    writeFileSync(countsFile, JSON.stringify(counts, null, 1));
  }
  if (!existsSync(path.join(out.extra, '.complete'))) {
    for (const k of Object.keys(counts)) if (!k.startsWith('dev/')) delete counts[k];
    await prepareExtra(extraSpeech, dev, out, seed, bump);
    mkdirSync(path.join(out.extra, '.complete'), { recursive: true });
    writeFileSync(countsFile, JSON.stringify(counts, null, 1));
  }
  // Streaming folders: only the keywords and the continuous sentences (the stream test).
  for (const [from, to] of [
    [out.evalVal, out.streamVal],
    [out.evalTest, out.streamTest],
  ]) {
    const classes = ['yes', 'no', '_sentences_'];
    const target = (cls: string) => realpathSync(path.resolve(from, cls));
    const linked = (cls: string) => (existsSync(path.join(to, cls)) ? realpathSync(path.join(to, cls)) : null);
    // Rebuilt only when stale: a training run starting beside a scoring run must not pull its folders away.
    if (classes.every((cls) => linked(cls) === target(cls))) continue;
    rmSync(to, { recursive: true, force: true });
    mkdirSync(to, { recursive: true });
    for (const cls of classes) symlinkSync(target(cls), path.join(to, cls));
  }
  // Built once, after the dev split (a marker beside it: a folder inside would read as a class).
  const calibrationDone = path.join(cache, 'eval', '.chip-calibration-complete');
  if (!existsSync(calibrationDone)) {
    rmSync(out.chipCalibration, { recursive: true, force: true });
    for (const cls of dirs(dev))
      for (const f of readdirSync(path.join(dev, cls)).filter(isAudio).sort()) {
        if (partOf(path.resolve(dev, cls, f)) !== 'train') continue;
        mkdirSync(path.join(out.chipCalibration, cls), { recursive: true });
        symlinkSync(path.resolve(dev, cls, f), path.join(out.chipCalibration, cls, f));
      }
    writeFileSync(calibrationDone, '');
  }
  return { ...out, counts };
}

/** Dev folder: symlinked classes + official lists; eval folders of val / test speakers. */
function prepareDev(dev: string, out: PreparedData, bump: (k: string) => void): void {
  rmSync(out.sc, { recursive: true, force: true });
  for (const cls of dirs(dev)) for (const d of [out.evalVal, out.evalTest]) rmSync(path.join(d, cls), { recursive: true, force: true });
  mkdirSync(out.sc, { recursive: true });
  const valList: string[] = [];
  const testList: string[] = [];
  for (const cls of dirs(dev)) {
    symlinkSync(path.resolve(dev, cls), path.join(out.sc, cls));
    for (const f of readdirSync(path.join(dev, cls)).filter(isAudio).sort()) {
      const part = partOf(path.resolve(dev, cls, f));
      bump(`dev/${part}`);
      if (part === 'train') continue;
      (part === 'val' ? valList : testList).push(`${cls}/${f}`);
      const dir = path.join(part === 'val' ? out.evalVal : out.evalTest, cls);
      mkdirSync(dir, { recursive: true });
      symlinkSync(path.resolve(dev, cls, f), path.join(dir, f));
    }
  }
  writeFileSync(path.join(out.sc, 'validation_list.txt'), valList.join('\n') + '\n');
  writeFileSync(path.join(out.sc, 'testing_list.txt'), testList.join('\n') + '\n');
}

/** extra-speech: train half -> 1-s windows; eval half of the sentences -> continuous speech. */
async function prepareExtra(
  extraSpeech: string,
  dev: string,
  out: PreparedData,
  seed: number,
  bump: (k: string, n?: number) => void,
): Promise<void> {
  rmSync(out.extra, { recursive: true, force: true });
  const jobs: { src: string; rel: string; source: string; folder: string }[] = [];
  for (const source of dirs(extraSpeech).filter((d) => d !== 'LICENSES'))
    for (const folder of dirs(path.join(extraSpeech, source)))
      for (const f of readdirSync(path.join(extraSpeech, source, folder))
        .filter(isAudio)
        .sort())
        jobs.push({ src: path.join(extraSpeech, source, folder, f), rel: `${source}/${folder}/${f}`, source, folder });
  const sentenceEval = path.join(out.evalTest, '_sentences_');
  const sentenceVal = path.join(out.evalVal, '_sentences_');
  for (const d of [sentenceEval, sentenceVal]) rmSync(d, { recursive: true, force: true });
  mkdirSync(sentenceEval, { recursive: true });
  mkdirSync(sentenceVal, { recursive: true });
  await mapWithConcurrency(jobs, 2, async (job) => {
    const part = partOf(job.src);
    const keyword = job.source === 'sc-toy' && (job.folder === 'yes' || job.folder === 'no');
    let samples: Float32Array;
    try {
      samples = await decode(job.src);
    } catch (err) {
      console.warn(`${job.src}: skipped (${(err as Error).message})`);
      return;
    }
    const base = job.rel.replace(/[/\\]/g, '-').replace(/\.(wav|flac)$/i, '');
    if (part !== 'train') {
      // Continuous other speech for the streaming test: sentences of validation / test.
      if (job.folder !== '_sentences_') return;
      const dir = part === 'val' ? sentenceVal : sentenceEval;
      writeFileAtomicSync(path.join(dir, `${base}.wav`), encodeWav16(samples, RATE));
      bump(`eval/sentences`);
      return;
    }
    const cls = keyword ? job.folder : job.folder === '_background_noise_' ? '_silence_' : '_unknown_';
    const rand = mulberry32(hash8(`${seed}/${job.rel}`));
    const maxWindows = job.folder === '_background_noise_' ? 40 : 8;
    const starts = keyword ? [Math.max(0, Math.round((samples.length - RATE) / 2))] : windowStarts(samples.length, RATE, rand, maxWindows);
    const dir = path.join(out.extra, cls);
    mkdirSync(dir, { recursive: true });
    starts.forEach((s, i) => {
      const w = new Float32Array(RATE);
      w.set(samples.subarray(s, Math.min(samples.length, s + RATE)));
      writeFileAtomicSync(path.join(dir, `${base}-${i}.wav`), encodeWav16(w, RATE));
    });
    bump(`extra/${job.source}`, starts.length);
  });
}

function readText(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '{}';
}
