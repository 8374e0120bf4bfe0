/**
 * Memory of `nwave detect` on long WAV files (issue 14): the file is read in blocks through the
 * streaming pipeline, so peak RSS must stay flat in the file's length. A 1-minute file is the
 * baseline measured in the same run; the 10-hour file (1.15 GB, written sparse: a 1 s tone burst
 * every 10 minutes, zeros in between, so it costs no disk) must stay within +50 MB of it.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
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

/** Runs `nwave detect --json file` and returns its peak RSS (MB), wall time and detections. */
function detect(file: string, hook: string): Promise<{ rssMB: number; seconds: number; detections: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [path.join(ROOT, 'cli', 'bin', 'nwave.js'), 'detect', '--json', TONES, file], {
      env: { ...process.env, NODE_OPTIONS: `--import=${hook}` },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /MAXRSS (\d+)/.exec(err);
      if (code !== 0 || !m) return reject(new Error(`nwave detect exited ${code}: ${err}`));
      const r = JSON.parse(out.trim().split('\n')[0]) as { detections?: unknown[] };
      resolve({ rssMB: Number(m[1]) / 1024, seconds: (performance.now() - t0) / 1000, detections: r.detections?.length ?? 0 });
    });
  });
}

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
    const a = await detect(short, hook);
    const b = await detect(long, hook);
    const bytes = (hours * 3600 * RATE * 2) / 2 ** 20;
    console.log(`\n## nwave detect on long WAV files (streamed in blocks; peak RSS of the whole process)`);
    console.log(`| file | size | peak RSS | wall time | detections |`);
    console.log(`|---|---|---|---|---|`);
    console.log(`| 1 min (baseline) | 1.8 MB | ${a.rssMB.toFixed(1)} MB | ${a.seconds.toFixed(1)} s | ${a.detections} |`);
    console.log(
      `| ${hours} h | ${bytes.toFixed(0)} MB | ${b.rssMB.toFixed(1)} MB | ${b.seconds.toFixed(1)} s (${((hours * 3600) / b.seconds).toFixed(0)}× real time) | ${b.detections} |`,
    );
    const delta = b.rssMB - a.rssMB;
    console.log(
      `peak RSS ${hours} h vs 1 min: +${delta.toFixed(1)} MB (${(b.rssMB / a.rssMB).toFixed(2)}×); target ≤ +50 MB: ${delta <= 50 ? 'met' : 'MISSED'}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
