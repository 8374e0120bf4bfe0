/**
 * `runTraining`: the whole workflow behind `nwave train` and the app's training panel:
 * data folder -> features -> HWNetwork -> training -> export -> runtime evaluation -> report.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, NwaveModel, chipFilterbankConfig, type Checkpoint } from '@nwave/runtime';
import { writeCheckpointFile, writeFileAtomic } from '@nwave/runtime/node';
import {
  NWaveDataGen,
  NWaveDataLoader,
  type LoaderItem,
  BACKGROUND_LABEL,
  DEFAULT_EXCLUDED_FOLDERS,
  listClassFolders,
  loadAudio,
  reportFailures,
  type NoiseBank,
  mineHardNegatives,
  DEFAULT_STREAM_AUGMENT,
  AUGMENT_PRESETS,
  type AugmentPresetName,
  buildStreamItems,
  scanNegativeFolders,
} from '@nwave/data';
import { resolveTrainChip } from '../chip.js';
import { buildNetworkFrom, describeNetwork } from './build-network.js';
import { applyFluctInit } from './fluct-init.js';
import { calibrateDetector, calibrateInputContrast, evaluateModel, type EvalItem, type EvalResult } from '@nwave/data/evaluate';
import { afterWordActivity, afterWordWarning, describeAfterWordActivity, isKeywordLabel } from '@nwave/data/metrics';
import { networkToCheckpoint } from './export-checkpoint.js';
import { checkInitialFiringRates, type RateCheck } from './firing-rate-check.js';
import { writeTrainingReport } from './report.js';
import { DEFAULT_RECIPE, withRecipe } from './recipes.js';
import { DEFAULT_TRAIN_CONFIG, HARD_NEGATIVE_LR_SCALE, describeRange, inNumberRange, type TrainConfig } from './train-config.js';
import { floatAccuracy, trainNetwork, type EpochRow, type TrainState } from './trainer.js';

export interface RunTrainingOptions {
  /** Class-folder data root `DATA/<class>/*.wav`. */
  data: string;
  /** Keywords, in output order. */
  words: string[];
  /** Add a `_background_` class made of every other folder (or of `backgroundFolders`). */
  background: boolean;
  /**
   * How non-keyword clips train: `class` = an output class `_background_` (output 0); `uniform` =
   * no output of their own, trained towards equal keyword outputs (outlier exposure) and rejected
   * by the calibrated confidence threshold. Default `class`.
   */
  backgroundMode?: 'class' | 'uniform';
  /** Only these folders form the background class (others are left out); default: every non-keyword folder. */
  backgroundFolders?: string[];
  epochs: number;
  /** Checkpoint path (`*.nwave.json`). */
  out: string;
  seed?: number;
  /** Extra folders whose clips all go to training (e.g. synthetic speech). */
  extraTrain?: string[];
  valSplit?: number;
  testSplit?: number;
  /** Augmented variants per training clip (0 = off). */
  augment?: number;
  /**
   * What the variants vary: `basic` (time shift, gain, noise) or `speaker` (also speed 0.85-1.15,
   * room reverberation and band limits, data/src/augment.ts). @defaultValue 'basic'
   */
  augmentPreset?: AugmentPresetName;
  /**
   * Named recipe (train/recipes.ts) whose settings, for the chip `config` names, are the base that
   * `config` overrides; recorded in the checkpoint's provenance. @defaultValue 'sdk'
   */
  recipe?: string;
  config?: Partial<TrainConfig>;
  allowViolations?: boolean;
  /** Continue from `<out>.train-state.json` if present. */
  resume?: boolean;
  cacheDir?: string | null;
  name?: string;
  command?: string;
  /** Provenance description of the data (default: the folders joined by " + "). */
  dataDescription?: string;
  /** Minimum share of background clips the calibrated detector must reject on validation. */
  minRejection?: number;
  /**
   * Stream training (issue 11, data/src/stream-data.ts): folders of other speech whose
   * train-half files become negative windows at every alignment (plus keyword fragments and
   * keywords placed in context); keyword-named folders in them are positives. Needs a background
   * class or `backgroundMode: 'uniform'`.
   */
  negatives?: string[];
  /**
   * Windows per stream file, one per epoch (cycling); 0 adds no stream windows, the folders then
   * only feed hard-negative mining. @defaultValue 4
   */
  streamVariants?: number;
  /** Speed, room, band, gain and noise augmentation of the stream windows. @defaultValue true */
  streamAugment?: boolean;
  /** Rounds of hard-negative mining after training: mine false accepts, add them, train again. @defaultValue 0 */
  hardNegativeRounds?: number;
  /** Epochs of each retraining round. @defaultValue max(1, round(epochs / 4)) */
  hardNegativeEpochs?: number;
  /**
   * Retraining rounds at a constant learning rate, this fraction of the run's `lrCore` and
   * `lrFrontend` (a fine-tune of the trained network); unset: the run's own schedule, restarted.
   */
  hardNegativeLrScale?: number;
}

export interface RunTrainingHooks {
  onEpoch?: (row: EpochRow) => void;
  onBatch?: (batch: number, batches: number, loss: number) => void;
  onStage?: (stage: string, done?: number, total?: number) => void;
  signal?: AbortSignal;
  log?: (msg: string) => void;
}

export interface RunTrainingResult {
  out: string;
  checkpoint: Checkpoint;
  valAccuracy: number;
  val: EvalResult;
  test: EvalResult | null;
  floatVal: number;
  floatTest: number | null;
  history: EpochRow[];
  bestEpoch: number;
  initialRates: RateCheck[];
  aborted: boolean;
  reportFile: string;
  /** What the user should know about the saved model (logged as `warning: ...` too); empty when nothing. */
  warnings: string[];
}

function evalItems(loader: NWaveDataLoader): EvalItem[] {
  return loader.items.map((it) => ({ features: it.features(0), label: it.label, file: it.file }));
}

/** Noise recordings at `rate` (unreadable or silent ones skipped). */
function loadNoiseFiles(files: readonly string[], rate: number): NoiseBank {
  const clips: NoiseBank['clips'] = [];
  for (const file of files) {
    try {
      const samples = loadAudio(file, rate);
      if (samples.some((v) => v !== 0)) clips.push({ file, samples });
    } catch {
      // Reported by the scan's caller as a count; noise is optional.
    }
  }
  return clips.length ? { clips } : { clips: [] };
}

/**
 * The settings a run trains with: the recipe's for the chip, `config` over them, and the run's
 * epochs and seed.
 * @throws InvalidArgumentError for an unknown recipe or chip
 */
export function runTrainConfig(opts: Pick<RunTrainingOptions, 'recipe' | 'config' | 'epochs' | 'seed'>): TrainConfig {
  return {
    ...withRecipe(opts.recipe ?? DEFAULT_RECIPE, opts.config),
    epochs: opts.epochs,
    seed: opts.seed ?? opts.config?.seed ?? DEFAULT_TRAIN_CONFIG.seed,
  };
}

export async function runTraining(opts: RunTrainingOptions, hooks: RunTrainingHooks = {}): Promise<RunTrainingResult> {
  const log = hooks.log ?? ((m: string) => console.warn(m));
  await tf.setBackend('cpu');
  // Production mode: no per-op debug checks and no "install tfjs-node" banner (tfjs-node cannot
  // install on machines without internet access to its binaries; the fused kernels replace it).
  tf.enableProdMode();
  const recipe = opts.recipe ?? DEFAULT_RECIPE;
  const cfg = runTrainConfig(opts);
  // Mining settings are checked before any work: a bad one would otherwise surface after training.
  if ((opts.hardNegativeRounds ?? 0) > 0 && !opts.negatives?.length)
    throw new InvalidArgumentError('--hard-negative-rounds needs --negatives', { field: 'hardNegativeRounds' });
  const lrScale = opts.hardNegativeLrScale;
  if (lrScale !== undefined && !inNumberRange(lrScale, HARD_NEGATIVE_LR_SCALE))
    throw new InvalidArgumentError(`--hard-negative-lr-scale: expected ${describeRange(HARD_NEGATIVE_LR_SCALE)}, got ${lrScale}`, {
      field: 'hardNegativeLrScale',
      value: String(lrScale),
    });
  // The chip's filters below Nyquist (warns, as the SDK does, about those left out).
  const chip = resolveTrainChip(cfg.chip);
  const sampleRate = 16000;
  const common = {
    sample_rate: sampleRate,
    filterbank: { centerFrequenciesHz: chipFilterbankConfig(sampleRate, {}, log, chip).centerFrequenciesHz },
    recording_duration_s: 1.0,
    sim_time_s: 0.008,
    return_filename: true,
    cache_dir: opts.cacheDir ?? null,
    log,
  };
  // A folder takes part when it is a keyword or (with `background`) a chosen background folder.
  const isChosen = (f: string) =>
    opts.words.includes(f) || (opts.background && (!opts.backgroundFolders || opts.backgroundFolders.includes(f)));
  // Only folders left out of an explicit background list are excluded (so an unknown word's error
  // still lists every available folder).
  const exclude = opts.background && opts.backgroundFolders ? listClassFolders(opts.data).filter((f) => !isChosen(f)) : [];
  const classes = {
    words: opts.words,
    background: opts.background,
    ...(exclude.length ? { exclude: [...DEFAULT_EXCLUDED_FOLDERS, ...exclude] } : {}),
  };
  hooks.onStage?.('features');
  const gen = new NWaveDataGen({
    ...common,
    data_parent: opts.data,
    dataloader_config: {
      batch_size: cfg.batchSize,
      val_split: opts.valSplit ?? 0.2,
      test_split: opts.testSplit ?? 0.1,
      shuffle_train: true,
      random_state: cfg.seed,
    },
    classes,
    augment: opts.augment ? { variants: opts.augment, seed: cfg.seed, config: AUGMENT_PRESETS[opts.augmentPreset ?? 'basic'] } : undefined,
    onProgress: (d, t) => hooks.onStage?.('features', d, t),
  });
  const main = await gen.dataloaders();
  // Background goes to output 0: a clip that leaves the network silent (all counts 0) then falls
  // to the background class by the arg-max tie rule instead of to the first keyword.
  const uniform = opts.backgroundMode === 'uniform';
  const labels = [...main.labels.filter((l) => l === BACKGROUND_LABEL && !uniform), ...main.labels.filter((l) => l !== BACKGROUND_LABEL)];
  const backgroundLabels = labels.filter((l) => l === BACKGROUND_LABEL);
  const remap = main.labels.map((l) => labels.indexOf(l)); // -1 for background in uniform mode
  const relabel = (it: LoaderItem): LoaderItem => ({ ...it, label: remap[it.label] });
  let trainItems = main.train.items.map(relabel);
  // Each item's data root (extra folders' files are relative to their own root).
  const rootOf = new Map<LoaderItem, string>(trainItems.map((it) => [it, opts.data]));
  for (const extra of opts.extraTrain ?? []) {
    // Extra folders may hold a subset of the classes (synthetic speech rarely has every word);
    // their clips map to the main labels by name.
    const extraFolders = listClassFolders(extra);
    const g = new NWaveDataGen({
      ...common,
      data_parent: extra,
      dataloader_config: { batch_size: cfg.batchSize, val_split: 0, test_split: 0, shuffle_train: true, random_state: cfg.seed },
      classes: {
        ...classes,
        words: classes.words.filter((w) => extraFolders.includes(w)),
        exclude: [...DEFAULT_EXCLUDED_FOLDERS, ...extraFolders.filter((f) => !isChosen(f))],
      },
    });
    const d = await g.dataloaders();
    const extraRemap = d.labels.map((l) => labels.indexOf(l));
    const unknown = d.labels.filter((l, i) => extraRemap[i] < 0 && !(uniform && l === BACKGROUND_LABEL));
    if (unknown.length)
      throw new InvalidArgumentError(`${extra}: classes ${unknown.join(', ')} are not among ${labels.join(', ')}`, {
        file: extra,
        field: 'extraTrain',
      });
    const extraItems = d.train.items.map((it) => ({ ...it, label: extraRemap[it.label] }));
    for (const it of extraItems) rootOf.set(it, extra);
    trainItems = trainItems.concat(extraItems);
    log(`extra training data ${extra}: ${d.train.size} clips`);
  }
  const negativeLabel = uniform ? -1 : labels.indexOf(BACKGROUND_LABEL);
  let streamNegatives: string[] = [];
  if (opts.negatives?.length) {
    if (negativeLabel < 0 && !uniform)
      throw new InvalidArgumentError('--negatives needs a background class (--background) or --background-mode uniform', {
        field: 'negatives',
      });
    hooks.onStage?.('stream data');
    const keywords = labels.filter((l) => l !== BACKGROUND_LABEL);
    const scan = scanNegativeFolders(opts.negatives, keywords);
    streamNegatives = scan.negatives;
    // 0 variants: the folders only feed hard-negative mining (no windows, fragments, keywords in context).
    if ((opts.streamVariants ?? 4) === 0)
      log(`stream data ${opts.negatives.join(', ')}: ${scan.negatives.length} negative recordings for hard-negative mining only`);
    else {
      const noiseBank = loadNoiseFiles(scan.noise, common.sample_rate);
      // Keyword clips of the main training split are placed in context too (augmented).
      const mainPositives = trainItems
        .filter((it) => it.label >= 0 && labels[it.label] !== BACKGROUND_LABEL)
        .map((it) => ({ file: path.join(rootOf.get(it) ?? opts.data, it.file), label: it.label }));
      const folderPositives = scan.positives.map((p) => ({ file: p.file, label: labels.indexOf(keywords[p.label]) }));
      const stream = buildStreamItems(scan.negatives, [...mainPositives, ...folderPositives], {
        sampleRateHz: common.sample_rate,
        durationS: common.recording_duration_s,
        filterbank: main.filterbank,
        frames: main.shape.T,
        seed: cfg.seed,
        variants: opts.streamVariants ?? 4,
        augment: opts.streamAugment === false ? null : DEFAULT_STREAM_AUGMENT,
        noise: noiseBank,
        negativeLabel,
        onProgress: (d, t) => hooks.onStage?.('stream data', d, t),
      });
      reportFailures(stream.failures, log);
      trainItems = trainItems.concat(stream.negatives, stream.fragments, stream.positives);
      log(
        `stream data ${opts.negatives.join(', ')}: ${stream.negatives.length} negative recordings, ${stream.fragments.length} keyword fragments, ${stream.positives.length} keywords in context (${folderPositives.length} from the folders), ${noiseBank.clips.length} noise recordings; ${scan.heldOut} held-out files left out`,
      );
    }
  }
  const train = new NWaveDataLoader(trainItems, main.train.options);
  const val = evalItems(main.val).map((it) => ({ ...it, label: remap[it.label] }));
  const test = evalItems(main.test).map((it) => ({ ...it, label: remap[it.label] }));
  const { T, C } = main.shape;
  log(
    `data: ${labels.join(', ')}; train ${train.size}, val ${val.length}, test ${test.length} clips (${main.split.mode} split); [${cfg.batchSize}, ${T}, ${C}]`,
  );

  const fb = main.filterbank;
  const filterbank = {
    sampleRateHz: fb.sampleRateHz,
    centerFrequenciesHz: [...fb.centerFrequenciesHz],
    q: fb.q,
    binS: fb.binS,
    gain: fb.gain,
    recordingDurationS: 1.0,
  };
  const desc = describeNetwork(C, labels.length, cfg, fb.binS, log);
  const net = buildNetworkFrom(desc, cfg);
  if (cfg.fluctInit !== null) {
    const first = train.batches(0).next();
    if (!first.done) {
      const r = applyFluctInit(net, first.value, cfg.fluctInit);
      log(
        `fluctuation-driven init (xi ${cfg.fluctInit}): ${r.map((l) => `${l.layer} input rate ${(l.inputRate * 100).toFixed(1)}%, sigma_w ${l.sigmaW.toFixed(3)}`).join('; ')}`,
      );
    }
  }
  const initialRates = checkInitialFiringRates(net, train.batches(0));
  for (const r of initialRates)
    if (r.verdict !== 'ok')
      log(`initial firing rate of ${r.layer}: ${(r.rate * 100).toFixed(1)}% (${r.verdict})${r.advice ? `; ${r.advice}` : ''}`);

  const statePath = `${opts.out}.train-state.json`;
  let resume: TrainState | undefined;
  if (opts.resume && existsSync(statePath)) {
    resume = JSON.parse(await fs.readFile(statePath, 'utf8')) as TrainState;
    log(`resuming from ${statePath} after epoch ${resume.epoch}`);
  }
  const rounds = opts.hardNegativeRounds ?? 0;
  const roundEpochs = opts.hardNegativeEpochs ?? Math.max(1, Math.round(cfg.epochs / 4));
  const miningNote = rounds
    ? `; hard-negative mining: ${rounds} rounds of ${roundEpochs} epochs${opts.hardNegativeLrScale === undefined ? '' : ` at a constant ${opts.hardNegativeLrScale} x the learning rates`}${opts.streamVariants === 0 ? ', no stream windows' : ''}`
    : '';
  const name = opts.name ?? path.basename(opts.out).replace(/\.nwave\.json$|\.json$/, '');
  const exportBase = {
    name,
    labels,
    backgroundLabels,
    filterbank,
    detector: { windowS: cfg.detectorWindowS, countScale: cfg.logitScale },
    provenance: {
      command: opts.command,
      data: opts.dataDescription ?? [opts.data, ...(opts.extraTrain ?? [])].join(' + '),
      seed: cfg.seed,
      // The recipe and the full training configuration, so the checkpoint alone says how it was made.
      notes: `recipe: ${recipe}; train config: ${JSON.stringify(cfg)}${opts.augment ? `; augment: ${opts.augment} variants, ${opts.augmentPreset ?? 'basic'}` : ''}${miningNote}`,
    },
  };
  hooks.onStage?.('training');
  const result = await trainNetwork(
    net,
    { train, val, T, C },
    cfg,
    exportBase,
    {
      onBatch: hooks.onBatch,
      signal: hooks.signal,
      log,
      onEpoch: hooks.onEpoch,
      // Resumable state every epoch (atomic), so Ctrl-C or a crash loses at most one epoch.
      onState: (state) => writeFileAtomic(statePath, JSON.stringify(state)),
    },
    resume,
    opts.minRejection ?? 0.95,
  );
  await writeFileAtomic(statePath, JSON.stringify(result.state));

  // Hard-negative mining: the deployed detector over the training negatives, its false accepts added, train again.
  let result2 = result;
  const roundHistory: EpochRow[] = [];
  const mining: { round: number; streamS: number; falseAcceptsPerHour: number; added: number }[] = [];
  for (let round = 1; round <= rounds && !result2.aborted; round++) {
    hooks.onStage?.(`hard negatives ${round}`);
    const trained0 = { windowS: cfg.detectorWindowS, countScale: result2.countScale };
    const draft0 = networkToCheckpoint(net, { ...exportBase, detector: trained0, allowViolations: true });
    const d0 = { ...calibrateDetector(new NwaveModel(draft0), val, T, opts.minRejection ?? 0.95), ...trained0 };
    const mined = mineHardNegatives(
      new NwaveModel(networkToCheckpoint(net, { ...exportBase, detector: d0, allowViolations: true })),
      streamNegatives,
      {
        durationS: common.recording_duration_s,
        filterbank: main.filterbank,
        frames: T,
        label: negativeLabel,
        seed: cfg.seed,
        round,
      },
    );
    mining.push({ round, streamS: mined.streamS, falseAcceptsPerHour: mined.falseAcceptsPerHour, added: mined.items.length });
    log(
      `hard negatives round ${round}: ${mined.falseAccepts} false accepts in ${(mined.streamS / 60).toFixed(1)} min of training negatives (${mined.falseAcceptsPerHour.toFixed(0)}/h), ${mined.items.length} windows added`,
    );
    if (mined.items.length === 0) break;
    trainItems = trainItems.concat(mined.items);
    result2 = await trainNetwork(
      net,
      { train: new NWaveDataLoader(trainItems, main.train.options), val, T, C },
      // The learned temperature carries over into the round (it restarts from this value).
      {
        ...cfg,
        logitScale: result2.countScale,
        epochs: roundEpochs,
        ...(lrScale === undefined
          ? {}
          : { lrSchedule: 'constant' as const, lrCore: cfg.lrCore * lrScale, lrFrontend: cfg.lrFrontend * lrScale }),
      },
      exportBase,
      { onBatch: hooks.onBatch, signal: hooks.signal, log, onEpoch: hooks.onEpoch },
      undefined,
      opts.minRejection ?? 0.95,
    );
    roundHistory.push(...result2.history);
  }

  hooks.onStage?.('export');
  const trained = { windowS: cfg.detectorWindowS, countScale: result2.countScale };
  const draft = networkToCheckpoint(net, { ...exportBase, detector: trained, allowViolations: true });
  const calibrated = { ...calibrateDetector(new NwaveModel(draft), val, T, opts.minRejection ?? 0.95), ...trained };
  // The input-contrast gate, on the calibrated detector: as strict as the validation keywords allow.
  const minInputContrast = calibrateInputContrast(new NwaveModel({ ...draft, detector: { ...draft.detector, ...calibrated } }), val, T);
  log(`input-contrast gate: ${minInputContrast > 0 ? `minInputContrast ${minInputContrast}` : 'off (would cost validation keywords)'}`);
  const detector = minInputContrast > 0 ? { ...calibrated, minInputContrast } : calibrated;
  const ck0 = networkToCheckpoint(net, { ...exportBase, detector, allowViolations: opts.allowViolations });
  const model = new NwaveModel(ck0);
  const valRes = evaluateModel(model, val, T);
  const testRes = test.length ? evaluateModel(model, test, T) : null;
  // Keyword neurons still firing after a word end it late in a stream (the detector waits for a pause).
  const valKeywords = val.filter((it) => isKeywordLabel(model, it.label)).map((it) => ({ features: it.features, frames: T }));
  const afterWord = valKeywords.length ? afterWordActivity(model, valKeywords) : null;
  const warnings: string[] = [];
  if (afterWord) {
    log(`after-word activity: ${describeAfterWordActivity(afterWord)} (validation)`);
    const warning = afterWordWarning(afterWord);
    if (warning) warnings.push(warning);
  }
  for (const w of warnings) log(`warning: ${w}`);
  const floatVal = floatAccuracy(net, val, T, C, cfg.outputPopulation);
  const floatTest = test.length ? floatAccuracy(net, test, T, C, cfg.outputPopulation) : null;
  const metrics = {
    bestEpoch: result.bestEpoch,
    valAccuracy: valRes.accuracy,
    valKeywordAccuracy: valRes.keywordAccuracy,
    valKeywordArgmaxAccuracy: valRes.keywordArgmaxAccuracy,
    valRejection: valRes.rejection,
    valFloatAccuracy: floatVal,
    testAccuracy: testRes?.accuracy ?? null,
    testKeywordAccuracy: testRes?.keywordAccuracy ?? null,
    testRejection: testRes?.rejection ?? null,
    testFloatAccuracy: floatTest,
    valClips: val.length,
    testClips: test.length,
    trainClips: trainItems.length,
    ...(mining.length ? { hardNegativeRounds: mining } : {}),
    split: main.split.mode,
    powerMeanW: valRes.power.meanW,
    energyPerInferenceJ: valRes.power.energyPerInferenceJ,
    firingRates: valRes.firingRates,
    ...(afterWord ? { afterWordActivity: afterWord } : {}),
  };
  const checkpoint: Checkpoint = { ...ck0, provenance: { ...ck0.provenance, metrics } };
  await writeCheckpointFile(opts.out, checkpoint);
  const reportFile = await writeTrainingReport(opts.out, {
    history: [...result.history, ...roundHistory],
    val: valRes,
    test: testRes,
    floatVal,
    floatTest,
    initialRates,
    checkpoint,
    net,
    valItems: val,
    steps: T,
  });
  net.dispose();
  return {
    out: opts.out,
    checkpoint,
    valAccuracy: valRes.accuracy,
    val: valRes,
    test: testRes,
    floatVal,
    floatTest,
    history: [...result.history, ...roundHistory],
    bestEpoch: result.bestEpoch,
    initialRates,
    aborted: result.aborted,
    reportFile,
    warnings,
  };
}
