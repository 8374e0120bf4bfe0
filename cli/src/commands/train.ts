/**
 * `nwave train --data DIR --words yes,no [--background] [--epochs N] [--out FILE]`: progress bar
 * with ETA, per-epoch table, Ctrl-C keeps the best epoch so far, `--resume`.
 */
import cliProgress from 'cli-progress';
import type { EpochRow } from '@nwave/training';
import { trainOptionsFromFlags, type TrainCliOptions } from './train-options.js';

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`).padStart(6);

function epochLine(r: EpochRow): string {
  const c = r.components;
  return [
    String(r.epoch).padStart(5),
    r.loss.toFixed(4).padStart(8),
    c.ce.toFixed(4).padStart(8),
    c.topology.toFixed(4).padStart(8),
    c.magnitude.toExponential(1).padStart(8),
    c.firingRate.toFixed(4).padStart(8),
    pct(r.trainAccuracy),
    pct(r.valAccuracy),
    pct(r.valKeywordAccuracy),
    pct(r.valRejection),
    pct(r.valFloatAccuracy),
    r.firingRates
      .map((x) => (x * 100).toFixed(0).padStart(3))
      .join(' ')
      .padStart(12),
    (r.compliant ? 'yes' : 'no').padStart(5),
    `${r.seconds.toFixed(1)}s`.padStart(7),
  ].join(' ');
}

export async function runTrain(o: TrainCliOptions, argv: string[]): Promise<number> {
  const { runTraining, parseTrainConfig } = await import('@nwave/training');
  // Validate every flag before anything slow starts (feature extraction can take minutes).
  const opts = trainOptionsFromFlags(o, `nwave ${argv.slice(2).join(' ')}`, parseTrainConfig);
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    console.error('\nnwave train: stopping after this batch; the best epoch so far will be exported (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const tty = process.stderr.isTTY;
  const bar = new cliProgress.SingleBar(
    {
      format: ' {stage} |{bar}| {value}/{total} {unit}  loss {loss}  ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      stream: process.stderr,
      noTTYOutput: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let barOn = false;
  const stopBar = () => {
    if (barOn) bar.stop();
    barOn = false;
  };
  let header = false;
  try {
    const r = await runTraining(opts, {
      signal: controller.signal,
      log: (m) => {
        stopBar();
        console.error(`nwave train: ${m}`);
      },
      onStage: (stage, done, total) => {
        if (!tty || done === undefined || total === undefined) return;
        if (!barOn) {
          bar.start(total, done, { stage, unit: 'clips', loss: '-' });
          barOn = true;
        }
        bar.update(done, { stage });
        if (done >= total) stopBar();
      },
      onBatch: (b, n, loss) => {
        if (!tty) return;
        if (!barOn) {
          bar.start(n, 0, { stage: 'epoch', unit: 'batches', loss: '-' });
          barOn = true;
        }
        bar.update(b, { loss: loss.toFixed(3) });
      },
      onEpoch: (row) => {
        stopBar();
        if (!header) {
          console.log(
            'epoch     loss       CE     topo      mag       FR  train val(rt)  kw(rt) rej(rt) val(fl)  rates % (per layer)  ok    time',
          );
          header = true;
        }
        console.log(
          epochLine(row) +
            `  ETA ${Math.round(row.etaS)}s  (steps ${row.stepSeconds.toFixed(1)}s, waiting for data ${row.dataSeconds.toFixed(1)}s)`,
        );
      },
    });
    stopBar();
    const m = r.checkpoint.provenance.metrics as Record<string, number>;
    console.log(`\nwrote ${r.out} (best epoch ${r.bestEpoch}${r.aborted ? ', interrupted' : ''}); report ${r.reportFile}`);
    console.log(`runtime (fixed-point) on the exported checkpoint:`);
    console.log(
      `  validation: accuracy ${pct(r.val.accuracy)}, keyword accuracy ${pct(r.val.keywordAccuracy)} (arg-max ${pct(r.val.keywordArgmaxAccuracy)}), background rejected ${pct(r.val.rejection)}; float model ${pct(r.floatVal)} (gap ${((r.floatVal - r.val.accuracy) * 100).toFixed(1)} points)`,
    );
    if (r.test)
      console.log(
        `  test:       accuracy ${pct(r.test.accuracy)}, keyword accuracy ${pct(r.test.keywordAccuracy)}, background rejected ${pct(r.test.rejection)}; float model ${pct(r.floatTest ?? 0)}`,
      );
    console.log(`  confusion (val, rows = true ${r.checkpoint.labels.join('/')}): ${JSON.stringify(r.val.confusion)}`);
    console.log(`  firing rates: ${r.val.firingRates.map((f) => `${f.name} ${pct(f.rate).trim()}`).join(', ')}`);
    console.log(
      `  projected power (estimate): ${(m.powerMeanW * 1e6).toFixed(4)} µW, ${(m.energyPerInferenceJ * 1e9).toFixed(2)} nJ per inference`,
    );
    // 130 (128 + SIGINT), as shells report an interrupted command: the model is saved, but a
    // script must not take an interrupted run for a finished one.
    return r.aborted ? 130 : 0;
  } finally {
    stopBar();
    process.off('SIGINT', onSigint);
  }
}
