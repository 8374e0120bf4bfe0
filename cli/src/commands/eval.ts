/**
 * `nwave eval [MODEL] --data DIR [--json] [--report out.html]`: clip accuracy per class, folder
 * and speaker, streaming false accepts and misses, mismatch Monte Carlo and projected power, from
 * the runtime's simulation of the checkpoint as deployed (see cli/src/eval/).
 */
import { InvalidArgumentError, powerLabel, type ChipProfile, type NwaveModel } from '@nwave/runtime';
import { writeFileAtomic } from '@nwave/runtime/node';
import { reportFailures } from '@nwave/data/dataset-folder';
import { afterWordWarning, describeAfterWordActivity } from '@nwave/data/metrics';
import { renderEvalReport } from '../eval/report-html.js';
import { runEvaluation, type EvalOptions } from '../eval/run-eval.js';
import type { EvalSummary } from '../eval/summary.js';
import { STREAM_SPLITS, type StreamSplit } from '../eval/stream-sources.js';
import { describeDetector } from '../detector-options.js';
import { checkNumber } from '../number-text.js';
import { checkOutputFile } from '../output-path.js';
import { p5Text, pct, table, uW } from '../format.js';

/** Command-line options as commander gives them (strings). */
export interface EvalCliOptions {
  data: string;
  json?: boolean;
  report?: string;
  chips?: string;
  mismatchLevels?: string;
  mismatchClips?: string;
  leakMismatch?: boolean;
  frontendMismatch?: boolean;
  chipCalibration?: string;
  streamHours?: string;
  streamLeadIn?: string;
  streamNegatives?: string[];
  streamKeywords?: string;
  streamSplit?: string;
  seed?: string;
  maxClips?: string;
}

function number(name: string, v: string | undefined, check: (x: number) => boolean, expected: string): number | undefined {
  if (v === undefined) return undefined;
  const x = checkNumber(v);
  if (x === undefined || !check(x))
    throw new InvalidArgumentError(`--${name} must be ${expected}, got "${v}"`, { field: name, value: v, expected });
  return x;
}

function streamSplit(v: string | undefined): StreamSplit | undefined {
  if (v === undefined) return undefined;
  if (!(STREAM_SPLITS as readonly string[]).includes(v))
    throw new InvalidArgumentError(`--stream-split must be one of ${STREAM_SPLITS.join(', ')}, got "${v}"`, {
      field: 'stream-split',
      value: v,
      expected: STREAM_SPLITS,
    });
  return v as StreamSplit;
}

/** Bounds of the numeric options (beyond them a run takes days: a typo, refused at once). */
export const EVAL_LIMITS = { seed: 2 ** 32 - 1, chips: 10_000, mismatchClips: 1_000_000, chipClips: 50_000_000 } as const;

/** Parses and checks the numeric options and the --report path. @throws InvalidArgumentError naming the option */
export function parseEvalOptions(o: EvalCliOptions): EvalOptions {
  const int = (x: number) => Number.isInteger(x) && x >= 0;
  const levels = o.mismatchLevels
    ?.split(',')
    .map((s) => number('mismatch-levels', s, (x) => x >= 0 && x <= 1, 'comma-separated numbers in [0, 1]')!);
  const out: EvalOptions = {
    data: o.data,
    seed: number('seed', o.seed, (x) => int(x) && x <= EVAL_LIMITS.seed, `an integer in [0, ${EVAL_LIMITS.seed}]`),
    chips: number('chips', o.chips, (x) => int(x) && x <= EVAL_LIMITS.chips, `an integer in [0, ${EVAL_LIMITS.chips}]`),
    mismatchLevels: levels,
    mismatchClips: number(
      'mismatch-clips',
      o.mismatchClips,
      (x) => int(x) && x > 0 && x <= EVAL_LIMITS.mismatchClips,
      `an integer in [1, ${EVAL_LIMITS.mismatchClips}]`,
    ),
    leakMismatch: o.leakMismatch,
    frontendMismatch: o.frontendMismatch,
    chipCalibration: o.chipCalibration,
    streamHours: number('stream-hours', o.streamHours, (x) => x >= 0 && x <= 24, 'a number of hours in [0, 24]'),
    streamLeadInS: number('stream-lead-in', o.streamLeadIn, (x) => x >= 0 && x <= 10, 'a number of seconds in [0, 10]'),
    maxClips: number('max-clips', o.maxClips, (x) => int(x) && x > 0, 'an integer > 0'),
    streamNegatives: o.streamNegatives,
    streamKeywords: o.streamKeywords,
    streamSplit: streamSplit(o.streamSplit),
  };
  const chips = out.chips ?? 20;
  const work = chips * (out.mismatchLevels?.length ?? 5) * (out.mismatchClips ?? 1000);
  if (work > EVAL_LIMITS.chipClips)
    throw new InvalidArgumentError(
      `--chips x --mismatch-levels x --mismatch-clips = ${work} simulated clips, more than ${EVAL_LIMITS.chipClips}; lower one of them`,
      { field: 'chips', value: work, expected: EVAL_LIMITS.chipClips },
    );
  if (o.report !== undefined) checkOutputFile('--report', o.report);
  return out;
}

/** A share, or a dash when the data had nothing to compute it on. */
const pc = (x: number | null) => (x === null ? '—' : pct(x));

function printHuman(s: EvalSummary, chip: ChipProfile): void {
  console.log(
    `${s.model.name}: ${s.data.clips} clips in ${s.data.dir} (${s.data.keywordClips} keyword, ${s.data.nonKeywordClips} non-keyword)`,
  );
  console.log(`detector ${describeDetector(s.model.detector)}`);
  console.log(`keyword accuracy ${pc(s.accuracy)} (arg-max ${pc(s.argmaxAccuracy)}), non-keyword rejection ${pc(s.rejection)}`);
  console.log(
    table(
      s.perFolder.map((f) => [
        f.folder,
        f.label ?? '(non-keyword)',
        f.n,
        f.keyword ? `accuracy ${pc(f.accuracy)}` : `rejection ${pc(f.rejection)}`,
      ]),
      ['folder', 'label', 'clips', 'score'],
    ),
  );
  const aw = s.afterWordActivity;
  if (aw) {
    const warning = afterWordWarning(aw);
    console.log(`after-word activity: ${describeAfterWordActivity(aw)}${warning ? `; warning: ${warning}` : ''}`);
  }
  const st = s.streaming;
  if (st) {
    const lat = st.latencyMs
      ? `, latency after keyword end ${st.latencyMs.p50.toFixed(0)} ms (p50), ${st.latencyMs.p90.toFixed(0)} ms (p90)`
      : '';
    console.log(
      `stream ${(st.hours * 60).toFixed(1)} min: ${st.keywords} keywords${st.leadInS ? ` (each right after ${st.leadInS} s of other speech)` : ''}, ${st.misses} missed (${pc(st.missRate)}), ${st.falseAcceptsPerHour.toFixed(2)} false accepts/h${lat}`,
    );
    console.log(
      `  per hour of other speech (${(st.otherSpeechHours * 60).toFixed(1)} min): ${st.falseAcceptsPerHourOfOtherSpeech.toFixed(2)} false accepts/h; wrong label ${pc(st.wrongLabelRate)}`,
    );
    for (const p of st.detMissRateAt)
      console.log(
        `  DET: miss rate at <= ${p.falseAcceptsPerHour} false accepts per hour of other speech: ${p.missRate === null ? 'not reached' : `${pct(p.missRate)} (threshold ${p.threshold})`}`,
      );
    for (const p of st.missRateAt)
      console.log(
        `  miss rate at <= ${p.falseAcceptsPerHour} false accepts/h: ${p.missRate === null ? 'not reached' : `${pct(p.missRate)} (threshold ${p.threshold})`}`,
      );
  }
  if (s.mismatch) {
    const mm = s.mismatch;
    console.log(
      `mismatch (${mm.chips} chips, ${mm.clips} clips${mm.leakMismatch ? ', leak mismatch' : ''}${mm.calibrationClips ? `; calibrated: each chip's output counts scaled to the nominal network's on ${mm.calibrationClips} calibration clips` : ''}):`,
    );
    console.log(
      table(
        mm.levels.map((l) => [
          l.stddev,
          pc(l.mean),
          p5Text(l),
          pc(l.min),
          ...(l.calibrated ? [pc(l.calibrated.mean), p5Text(l.calibrated), pc(l.calibrated.min)] : []),
        ]),
        [
          'stddev',
          'mean',
          'p5 (90 % interval)',
          'min',
          ...(mm.calibrationClips ? ['calibrated mean', 'calibrated p5 (90 % interval)', 'calibrated min'] : []),
        ],
      ),
    );
  }
  console.log(
    `power per inference ${uW(s.power.meanW)} (5-95 %: ${uW(s.power.p5W)} - ${uW(s.power.p95W)}), ${(s.power.energyPerInferenceJ * 1e9).toFixed(3)} nJ (${powerLabel(chip)})`,
  );
  console.log(`${s.clipsPerSecond.toFixed(0)} clips/s`);
}

/** Runs the evaluation; returns the exit code (1 when the data holds no readable clip). */
export async function runEvalCommand(model: NwaveModel, file: string, cli: EvalCliOptions): Promise<number> {
  const opts = parseEvalOptions(cli);
  const d = runEvaluation(model, file, { ...opts, log: (m) => console.error(`nwave eval: ${m}`) });
  reportFailures(d.data.failures, (m) => console.error(`nwave eval: ${m}`));
  if (d.data.clips.length === 0) {
    console.error(`nwave eval: no readable .wav clip in ${cli.data}/<class>/`);
    return 1;
  }
  if (cli.report) {
    await writeFileAtomic(cli.report, renderEvalReport(d));
    console.error(`nwave eval: report written to ${cli.report}`);
  }
  if (cli.json) console.log(JSON.stringify(d.summary));
  else printHuman(d.summary, model.chip);
  return 0;
}
