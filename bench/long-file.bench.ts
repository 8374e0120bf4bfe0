/**
 * Memory of `nwave detect` (both backends) and `nwave eval` on long WAV and FLAC files (issue 14):
 * every format is read in blocks through the streaming pipeline, so peak RSS must stay flat in
 * the file's length. A 1-minute file is the baseline measured in the same run; the 10-hour file
 * (1.15 GB, written sparse: a 1 s tone burst every 10 minutes, zeros in between, so it costs no
 * disk; the FLAC made from it by sox) must stay within +50 MB of it.
 * NWAVE_BENCH_LONG_HOURS=1 npm run bench -- long-file   a shorter run
 * NWAVE_BENCH_LONG_ONLY=flac npm run bench -- long-file   only the FLAC rows
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWav16 } from '../runtime/src/wav.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RATE = 16000;
/** The tones fixture model: its "high" class (> 2.5 kHz) fires on the 3 kHz bursts, a sanity check. */
const TONES = path.join(ROOT, 'test', 'fixtures', 'models', 'tones.nwave.json');

/** A 16 kHz 16-bit mono WAV of `seconds`, sparse on disk: a tone burst every `everyS` seconds. */
function writeLongWav(file: string, seconds: number, everyS: number): void {
  const frames = seconds * RATE;
  const header = encodeWav16(new Float32Array(0), RATE);
  const view = new DataView(header.buffer);
  view.setUint32(4, 36 + frames * 2, true);
  view.setUint32(40, frames * 2, true);
  const burst = encodeWav16(
    Float32Array.from({ length: RATE }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 3000 * i) / RATE)),
    RATE,
  ).subarray(44);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, header, 0, 44, 0);
    for (let t = 5; t + 1 < seconds; t += everyS) writeSync(fd, burst, 0, burst.length, 44 + t * RATE * 2);
    ftruncateSync(fd, 44 + frames * 2);
  } finally {
    closeSync(fd);
  }
}

interface Run {
  rssMB: number;
  seconds: number;
  stdout: string;
}

/** Runs `nwave ...args` and returns its peak RSS (MB, the whole process), wall time and output. */
function nwave(args: string[], hook: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [path.join(ROOT, 'cli', 'bin', 'nwave.js'), ...args], {
      env: { ...process.env, NODE_OPTIONS: `--import=${hook}` },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /MAXRSS (\d+)/.exec(err);
      if (code !== 0 || !m) return reject(new Error(`nwave ${args.join(' ')} exited ${code}: ${err}`));
      resolve({ rssMB: Number(m[1]) / 1024, seconds: (performance.now() - t0) / 1000, stdout: out });
    });
  });
}

/** `nwave detect --json` on one file: peak RSS, wall time, detections. */
async function detect(file: string, hook: string, extra: string[] = []): Promise<Run & { detections: number }> {
  const r = await nwave(['detect', '--json', TONES, file, ...extra], hook);
  const j = JSON.parse(r.stdout.trim().split('\n')[0]) as { detections?: unknown[] };
  return { ...r, detections: j.detections?.length ?? 0 };
}

/**
 * `nwave eval` with `file` as a clip of the data folder (read as a stream: its start is the clip,
 * its length counted) and as the `--stream-negatives` recording of a 2-minute stream test.
 */
async function evaluate(file: string, dir: string, hook: string): Promise<Run & { clips: number }> {
  const data = path.join(dir, `data-${path.basename(file)}`);
  const neg = path.join(dir, `neg-${path.basename(file)}`);
  mkdirSync(path.join(data, 'high'), { recursive: true });
  mkdirSync(neg, { recursive: true });
  symlinkSync(file, path.join(data, 'high', `long-${path.basename(file)}`));
  symlinkSync(file, path.join(neg, path.basename(file)));
  const r = await nwave(
    [
      'eval',
      TONES,
      '--data',
      data,
      '--json',
      '--chips',
      '0',
      '--stream-negatives',
      neg,
      '--stream-split',
      'all',
      '--stream-hours',
      String(2 / 60),
    ],
    hook,
  );
  return { ...r, clips: (JSON.parse(r.stdout) as { data: { clips: number } }).data.clips };
}

const mb = (x: number) => `${x.toFixed(1)} MB`;
const verdict = (long: number, base: number) => {
  const d = long - base;
  return `${d >= 0 ? '+' : ''}${d.toFixed(1)} MB ${d <= 50 ? '(within +50 MB)' : '(MISSED: more than +50 MB)'}`;
};

export async function benchLongFile(opts: { hours?: number } = {}): Promise<void> {
  const hours = opts.hours ?? Number(process.env.NWAVE_BENCH_LONG_HOURS ?? 10);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nwave-bench-long-'));
  try {
    const hook = path.join(dir, 'maxrss.mjs');
    writeFileSync(hook, "process.on('exit', () => process.stderr.write(`\\nMAXRSS ${process.resourceUsage().maxRSS}\\n`));\n");
    const short = path.join(dir, 'one-minute.wav');
    const long = path.join(dir, `${hours}-hours.wav`);
    writeLongWav(short, 60, 600 / 10); // one burst in the minute
    writeLongWav(long, hours * 3600, 600);
    // The same audio as FLAC (sox; silence compresses to almost nothing, the decoder still runs hours of frames).
    const shortFlac = short.replace(/\.wav$/, '.flac');
    const longFlac = long.replace(/\.wav$/, '.flac');
    execFileSync('sox', [short, shortFlac]);
    execFileSync('sox', [long, longFlac]);
    const bytes = (hours * 3600 * RATE * 2) / 2 ** 20;
    const flacMB = statSync(longFlac).size / 2 ** 20;

    const rows: string[] = [];
    const row = (what: string, file: string, r: Run, note: string, base?: Run) =>
      rows.push(
        `| ${what} | ${file} | ${mb(r.rssMB)} | ${base ? verdict(r.rssMB, base.rssMB) : 'baseline'} | ${r.seconds.toFixed(1)} s | ${note} |`,
      );
    const rt = (r: Run) => `${((hours * 3600) / r.seconds).toFixed(0)}× real time`;

    // NWAVE_BENCH_LONG_ONLY=flac (or wav, onnx, eval...): only the rows whose label matches.
    const only = new RegExp(process.env.NWAVE_BENCH_LONG_ONLY ?? '', 'i');
    const pair = async (label: string, base: () => Promise<Run>, longRun: () => Promise<Run>, note: (r: Run, long: boolean) => string) => {
      if (!only.test(label)) return;
      const [what, kind] = label.split(': ');
      const a = await base();
      const b = await longRun();
      row(what, `1 min ${kind}`, a, note(a, false));
      row(what, `${hours} h ${kind}${kind === 'WAV' ? ` (${bytes.toFixed(0)} MB)` : ` (${flacMB.toFixed(1)} MB)`}`, b, note(b, true), a);
    };
    const detections = (r: Run, isLong: boolean) =>
      `${(r as Run & { detections: number }).detections} detections${isLong ? `, ${rt(r)}` : ''}`;
    await pair(
      'detect: WAV',
      () => detect(short, hook),
      () => detect(long, hook),
      detections,
    );
    const onnx = ['--backend', 'onnx', '--stream'];
    await pair(
      'detect --backend onnx --stream: WAV',
      () => detect(short, hook, onnx),
      () => detect(long, hook, onnx),
      detections,
    );
    await pair(
      'detect: FLAC',
      () => detect(shortFlac, hook),
      () => detect(longFlac, hook),
      detections,
    );
    const clips = (r: Run) => `${(r as Run & { clips: number }).clips} clip`;
    await pair(
      'eval: WAV',
      () => evaluate(short, dir, hook),
      () => evaluate(long, dir, hook),
      (r, l) => clips(r) + (l ? ' (length from the header)' : ''),
    );
    await pair(
      'eval: FLAC',
      () => evaluate(shortFlac, dir, hook),
      () => evaluate(longFlac, dir, hook),
      (r, l) => clips(r) + (l ? ' (decoded through for its length, twice)' : ''),
    );

    console.log(`\n## Long files: peak RSS of the whole \`nwave\` process (read as streams; target: ${hours} h within +50 MB of 1 min)`);
    console.log('eval: the file is a clip of `--data` and the `--stream-negatives` recording of a 2-minute stream test (`--chips 0`).');
    console.log('| command | file | peak RSS | vs 1 min | wall time | note |');
    console.log('|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
