/** Prints what an e2e scenario measured: detections, latency from the word's end, frame times. */
import { detectionLatencies, fmt, stats } from './alignment.js';
import type { LiveResult } from './live-session.js';

/** `word.label`: only detections of that label count for latency (others are wrong-word detections). */
export function reportLive(name: string, r: LiveResult, word: { label: string; startS: number; endS: number } | null): void {
  const lines = [
    `[e2e] ${name}: ${r.debug.detections.length} detections [${r.debug.detections.map((d) => `${d.label}@${d.endTimeS.toFixed(2)}s`).join(', ')}] at ${r.debug.sampleRateHz} Hz; stream/file lag ${r.lagMs} ms (match ${r.lagScore.toFixed(3)})`,
  ];
  if (word) {
    const lat = detectionLatencies(
      r.debug.detections.filter((d) => d.slot === 'a' && d.label === word.label),
      word,
      r.tap,
      r.file,
      r.lagMs,
    );
    const wrong = r.debug.detections.filter((d) => d.slot === 'a' && d.label !== word.label).length;
    if (wrong) lines.push(`[e2e]   WARNING: ${wrong} detection(s) of another word while "${word.label}" was playing (model quality)`);
    const s = stats(lat.map((l) => l.streamMs));
    const e = stats(lat.map((l) => l.endToEndMs));
    const o = stats(lat.map((l) => l.fromOnsetMs));
    const p = stats(lat.map((l) => l.pipelineMs));
    lines.push(
      `[e2e]   latency word end -> detection event: end-to-end mean ${fmt(e.mean)} ms (max ${fmt(e.max)}); in stream time ${fmt(s.mean)} ms; word onset -> detection ${fmt(o.mean)} ms; app pipeline overhead ${fmt(p.mean)} ms (max ${fmt(p.max)})`,
    );
  }
  const ft = stats(r.debug.frameTimesMs.slice(5));
  lines.push(
    `[e2e]   render time per frame while the raster scrolls: mean ${ft.mean.toFixed(2)} ms, p95 ${ft.p95.toFixed(2)} ms, max ${ft.max.toFixed(2)} ms (${ft.n} frames); power ${r.powerText}`,
  );
  console.log(lines.join('\n'));
}
