/**
 * Long evaluation streams, the openWakeWord way: non-keyword audio (`_silence_`, `_unknown_`,
 * other words, noise) back to back, with keyword clips inserted at known times. The plan is
 * seeded and made of whole clips addressed by file, so an hour of audio is never held in memory:
 * `stream-eval.ts` reads each segment when the spotter reaches it.
 *
 * All positions are integer sample counts at the model rate, so the known keyword times are
 * exact (no drift over an hour of float additions).
 */
import { seededRandom, type RandomSource } from '@nwave/runtime';

/** A clip the stream may use. */
export interface StreamSource {
  file: string;
  /** Model label index (keywords only matter). */
  label: number;
  keyword: boolean;
  durationS: number;
}

/** One piece of the stream: a clip's first `samples` samples, or digital silence (`file: null`). */
export interface StreamSegment {
  file: string | null;
  startSample: number;
  samples: number;
  /** Keyword label index, or -1 for background. */
  label: number;
}

/** A keyword inserted at a known time. */
export interface KeywordInsertion {
  file: string;
  label: number;
  startS: number;
  endS: number;
}

export interface StreamPlan {
  sampleRateHz: number;
  totalSamples: number;
  durationS: number;
  segments: StreamSegment[];
  keywords: KeywordInsertion[];
}

export interface StreamPlanOptions {
  /** Stream length, hours. */
  hours: number;
  seed: number;
  /** Background between two keywords, seconds, drawn uniformly. @defaultValue [4, 10] */
  gapS?: [number, number];
  /**
   * Keywords glued to other speech: each keyword follows, with no pause, the first `leadInS`
   * seconds of a background clip (cut mid-sentence), after the gap. 0: off. @defaultValue 0
   */
  leadInS?: number;
}

/** Sources in a seeded order, reshuffled each time they are used up (balanced reuse). */
function deck<T>(items: readonly T[], rng: RandomSource): () => T {
  let order: T[] = [];
  return () => {
    if (order.length === 0) {
      order = [...items];
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
    }
    return order.pop()!;
  };
}

/**
 * Plans a stream of `hours` at `sampleRateHz`: background gaps of whole non-keyword clips
 * (digital silence when there is none), each followed by one keyword clip (every keyword clip is
 * used once before any repeats). Without keyword clips the stream is background only.
 */
export function planStream(sources: readonly StreamSource[], sampleRateHz: number, opts: StreamPlanOptions): StreamPlan {
  const rng = seededRandom(opts.seed);
  const [gapLo, gapHi] = opts.gapS ?? [4, 10];
  const totalSamples = Math.max(0, Math.round(opts.hours * 3600 * sampleRateHz));
  const len = (s: StreamSource) => Math.max(1, Math.round(s.durationS * sampleRateHz));
  const kwSources = sources.filter((s) => s.keyword);
  const bgSources = sources.filter((s) => !s.keyword);
  const nextKeyword = kwSources.length ? deck(kwSources, rng) : null;
  const nextBackground = bgSources.length ? deck(bgSources, rng) : null;
  const segments: StreamSegment[] = [];
  const keywords: KeywordInsertion[] = [];
  let pos = 0;
  const push = (file: string | null, samples: number, label: number) => {
    const n = Math.min(samples, totalSamples - pos);
    if (n <= 0) return;
    segments.push({ file, startSample: pos, samples: n, label });
    pos += n;
  };
  while (pos < totalSamples) {
    const gapEnd = pos + Math.round((gapLo + (gapHi - gapLo) * rng()) * sampleRateHz);
    while (pos < Math.min(gapEnd, totalSamples)) {
      if (nextBackground) {
        const s = nextBackground();
        push(s.file, len(s), -1);
      } else push(null, gapEnd - pos, -1);
    }
    if (!nextKeyword) continue;
    const k = nextKeyword();
    const leadIn = nextBackground && opts.leadInS ? Math.round(opts.leadInS * sampleRateHz) : 0;
    if (leadIn > 0 && pos + leadIn + len(k) <= totalSamples) {
      const s = nextBackground!();
      push(s.file, Math.min(leadIn, len(s)), -1);
    }
    // A keyword that would be cut by the end of the stream is not inserted (it could not be found).
    if (pos + len(k) > totalSamples) {
      push(null, totalSamples - pos, -1);
      break;
    }
    keywords.push({ file: k.file, label: k.label, startS: pos / sampleRateHz, endS: (pos + len(k)) / sampleRateHz });
    push(k.file, len(k), k.label);
  }
  return { sampleRateHz, totalSamples, durationS: totalSamples / sampleRateHz, segments, keywords };
}
