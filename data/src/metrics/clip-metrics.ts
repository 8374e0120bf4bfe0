/**
 * Clip scores from per-clip decisions: the one definition the trainer (`evaluateModel`) and
 * `nwave eval` both report. Keyword accuracy = keyword clips accepted as the right keyword by the
 * full rejection rule; arg-max accuracy = keyword clips whose arg-max is right; rejection =
 * non-keyword clips (background labels and clips of no label) not accepted as any keyword. A
 * score is null, never 0 or 1, when there is no clip of its kind.
 */

/** Label index of clips of no model label (a folder the model has no class for). */
export const NON_KEYWORD = -1;
/** Row name of those clips in confusion matrices and tables. */
export const NON_KEYWORD_NAME = '(non-keyword)';

/** What the scores need to know about a clip. */
export interface ScoredClip {
  /** Model label index, or {@link NON_KEYWORD}. */
  label: number;
  /** True when `label` is a keyword (not a background label, not non-keyword). */
  keyword: boolean;
  /** Folder the clip came from (per-folder table; clips without one are left out of it). */
  folder?: string;
  /** Speech Commands speaker id (per-speaker table; clips without one are left out of it). */
  speaker?: string;
}

/** What a clip's classification decided (a `ClipResult` fits). */
export interface ClipDecision {
  /** Arg-max label index. */
  index: number;
  accepted: boolean;
}

/** The three headline scores; null when the data has no clip of that kind. */
export interface ClipScores {
  accuracy: number | null;
  argmaxAccuracy: number | null;
  rejection: number | null;
}

export interface PerClassRow {
  label: string;
  keyword: boolean;
  n: number;
  /** Share of the row's clips whose arg-max is the row's label (null for non-keyword rows without a label). */
  argmaxRecall: number | null;
  /** Keyword rows: accepted as this keyword. */
  accuracy: number | null;
  /** Non-keyword rows: not accepted as any keyword. */
  rejection: number | null;
}

export interface PerFolderRow extends PerClassRow {
  folder: string;
}

export interface PerSpeakerRow {
  speaker: string;
  n: number;
  keywordClips: number;
  accuracy: number | null;
  nonKeywordClips: number;
  rejection: number | null;
}

export interface ClipMetrics extends ClipScores {
  clips: number;
  keywordClips: number;
  nonKeywordClips: number;
  /** Row names of `confusion`: the labels, plus {@link NON_KEYWORD_NAME} when such clips exist. */
  confusionRows: string[];
  /** confusion[row][arg-max label] counts. */
  confusion: number[][];
  perClass: PerClassRow[];
  perFolder: PerFolderRow[];
  /** Clips without a `<speaker>_nohash_<n>` name are left out. Sorted by speaker id. */
  perSpeaker: PerSpeakerRow[];
}

const ratio = (a: number, n: number): number | null => (n > 0 ? a / n : null);

/** Tally of one group of clips. */
class Tally {
  n = 0;
  kw = 0;
  kwOk = 0;
  kwArg = 0;
  nk = 0;
  nkRej = 0;
  add(clip: Pick<ScoredClip, 'label' | 'keyword'>, d: ClipDecision): void {
    this.n++;
    if (clip.keyword) {
      this.kw++;
      if (d.index === clip.label) this.kwArg++;
      if (d.accepted && d.index === clip.label) this.kwOk++;
    } else {
      this.nk++;
      if (!d.accepted) this.nkRej++;
    }
  }
  scores(): ClipScores {
    return { accuracy: ratio(this.kwOk, this.kw), argmaxAccuracy: ratio(this.kwArg, this.kw), rejection: ratio(this.nkRej, this.nk) };
  }
}

/** Headline scores only (the mismatch Monte Carlo calls this per chip). */
export function scoreClips(clips: readonly Pick<ScoredClip, 'label' | 'keyword'>[], decisions: readonly ClipDecision[]): ClipScores {
  const t = new Tally();
  clips.forEach((c, i) => t.add(c, decisions[i]));
  return t.scores();
}

/** Every clip table. `decisions[i]` belongs to `clips[i]`. */
export function clipMetrics(labels: readonly string[], clips: readonly ScoredClip[], decisions: readonly ClipDecision[]): ClipMetrics {
  const K = labels.length;
  const hasNonKeyword = clips.some((c) => c.label === NON_KEYWORD);
  const confusionRows = hasNonKeyword ? [...labels, NON_KEYWORD_NAME] : [...labels];
  const confusion = confusionRows.map(() => new Array<number>(K).fill(0));
  const all = new Tally();
  const byRow = confusionRows.map(() => new Tally());
  const byFolder = new Map<string, { label: number; keyword: boolean; t: Tally }>();
  const bySpeaker = new Map<string, Tally>();
  clips.forEach((c, i) => {
    const d = decisions[i];
    const row = c.label === NON_KEYWORD ? K : c.label;
    confusion[row][d.index]++;
    all.add(c, d);
    byRow[row].add(c, d);
    if (c.folder !== undefined) {
      if (!byFolder.has(c.folder)) byFolder.set(c.folder, { label: c.label, keyword: c.keyword, t: new Tally() });
      byFolder.get(c.folder)!.t.add(c, d);
    }
    if (c.speaker !== undefined) {
      if (!bySpeaker.has(c.speaker)) bySpeaker.set(c.speaker, new Tally());
      bySpeaker.get(c.speaker)!.add(c, d);
    }
  });
  const rowOf = (name: string, label: number, keyword: boolean, t: Tally, argHits: number): PerClassRow => ({
    label: name,
    keyword,
    n: t.n,
    argmaxRecall: label >= 0 ? ratio(argHits, t.n) : null,
    accuracy: keyword ? t.scores().accuracy : null,
    rejection: keyword ? null : t.scores().rejection,
  });
  const perClass = confusionRows.map((name, r) => {
    const keyword = r < K && clips.some((c) => c.label === r && c.keyword);
    return rowOf(name, r < K ? r : NON_KEYWORD, keyword, byRow[r], r < K ? confusion[r][r] : 0);
  });
  const perFolder = [...byFolder].map(([folder, f]) => {
    const hits = clips.reduce((a, c, i) => a + (c.folder === folder && decisions[i].index === f.label ? 1 : 0), 0);
    return { folder, ...rowOf(f.label >= 0 ? labels[f.label] : NON_KEYWORD_NAME, f.label, f.keyword, f.t, hits) };
  });
  const perSpeaker = [...bySpeaker]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([speaker, t]) => ({
      speaker,
      n: t.n,
      keywordClips: t.kw,
      accuracy: t.scores().accuracy,
      nonKeywordClips: t.nk,
      rejection: t.scores().rejection,
    }));
  return {
    ...all.scores(),
    clips: clips.length,
    keywordClips: all.kw,
    nonKeywordClips: all.nk,
    confusionRows,
    confusion,
    perClass,
    perFolder,
    perSpeaker,
  };
}
