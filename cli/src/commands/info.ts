/** `nwave info [MODEL]`: layers, parameter count, constraint report, projected power. */
import { existsSync } from 'node:fs';
import { DEFAULT_SETTLE_S, describeChip, describeLayers, powerLabel, type LayerSummary, type NwaveModel } from '@nwave/runtime';
import { fileFailure, listAudioFiles, readClipFile } from '../audio-files.js';
import { nJ, pct, table, uW } from '../format.js';
import { EXAMPLES_DIR } from '../paths.js';

/** Time constants in ms: one value, or the range when the neurons differ. */
function taus(l: LayerSummary): string {
  const min = l.tauMinS * 1e3;
  const max = l.tauMaxS * 1e3;
  return min === max ? `${+min.toFixed(3)}` : `${min.toFixed(1)}..${max.toFixed(1)}`;
}

export async function runInfo(model: NwaveModel, file: string, opts: { json?: boolean; input?: string[] }): Promise<number> {
  const ck = model.checkpoint;
  const layers = describeLayers(ck);
  const report = model.constraints();
  const inputs = opts.input?.length ? opts.input : existsSync(EXAMPLES_DIR) ? [EXAMPLES_DIR] : [];
  const files = inputs.length ? await listAudioFiles(inputs) : [];
  const runs: ReturnType<NwaveModel['classify']>[] = [];
  for (const f of files) {
    // One unreadable reference clip is reported and skipped: the rest of the report stands.
    try {
      const a = readClipFile(model, f);
      runs.push(model.classify(a.samples, a.sampleRateHz));
    } catch (e) {
      console.error(`nwave info: skipped ${fileFailure(f, e).error}`);
    }
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const power = runs.length
    ? {
        clips: runs.length,
        totalW: mean(runs.map((r) => r.power.totalW)),
        staticW: mean(runs.map((r) => r.power.staticW)),
        dynamicW: mean(runs.map((r) => r.power.dynamicW)),
        energyJ: mean(runs.map((r) => r.power.energyJ)),
        layerRates: model.powerLayers.map((l, i) => ({
          name: l.name,
          rate: mean(runs.map((r) => r.layerSpikes[i].spikes / (l.neurons * r.steps))),
        })),
      }
    : null;
  if (opts.json) {
    console.log(
      JSON.stringify({
        file,
        name: ck.name,
        version: ck.version,
        labels: ck.labels,
        backgroundLabels: ck.backgroundLabels,
        chipProfile: ck.chipProfile,
        chip: {
          id: model.chip.id,
          name: model.chip.chip,
          description: describeChip(model.chip),
          powerCalibrated: model.chip.power.calibrated,
        },
        parameters: model.parameterCount,
        layers: layers.map((l) => ({
          name: l.name,
          type: l.type,
          recurrent: l.recurrent,
          inputs: l.inputs,
          size: l.size,
          bits: l.bits,
          parameters: l.parameters,
          recurrentParameters: l.recurrentParameters,
          tausS: l.tausS,
        })),
        constraints: report,
        power: power && { ...power, estimate: true, calibrated: model.chip.power.calibrated },
        provenance: ck.provenance,
      }),
    );
    return 0;
  }
  const fb = ck.filterbank;
  console.log(`Model       ${ck.name}  (${file})`);
  if (ck.description) console.log(`            ${ck.description}`);
  console.log(`Format      ${ck.format} v${ck.version}, chip profile ${ck.chipProfile}`);
  console.log(`Chip        ${describeChip(model.chip)}`);
  console.log(
    `Labels      ${ck.labels.join(', ')}${ck.backgroundLabels.length ? `  (background: ${ck.backgroundLabels.join(', ')})` : ''}`,
  );
  console.log(
    `Filterbank  ${fb.centerFrequenciesHz.length} channels @ ${fb.sampleRateHz} Hz, ${fb.centerFrequenciesHz[0].toFixed(1)}..${fb.centerFrequenciesHz.at(-1)!.toFixed(1)} Hz, Q ${fb.q}, bin ${fb.binS * 1e3} ms, gain ${fb.gain}, clip ${fb.recordingDurationS} s`,
  );
  console.log('');
  console.log(
    table(
      layers.map((l) => [
        l.name,
        l.recurrent ? `${l.type}+rec` : l.type,
        l.inputs,
        l.size,
        l.recurrent ? `${l.parameters} (${l.recurrentParameters} rec)` : l.parameters,
        `${l.bits} (±${l.wMax})`,
        taus(l),
      ]),
      ['layer', 'type', 'in', 'neurons', 'params', 'bits', 'tau ms'],
    ),
  );
  console.log(
    `\nParameters  ${model.parameterCount}   threshold ${ck.network.threshold}   arithmetic: membrane 2^-${ck.network.arithmetic.membraneFracBits}, input 2^-${ck.network.arithmetic.inputFracBits}, leak 2^-${ck.network.arithmetic.leakFracBits}`,
  );
  const d = ck.detector;
  console.log(
    `Detector    window ${d.windowS} s, confidence >= ${d.threshold}, >= ${d.minSpikes} spikes, input level >= ${d.minInputLevel}${d.minInputContrast ? `, input contrast >= ${d.minInputContrast} (peak / mean)` : ''}, refractory ${d.refractoryS} s, word ends after ${d.settleS ?? DEFAULT_SETTLE_S} s without keyword spikes`,
  );
  console.log(`\nConstraints (${model.chip.id}): ${report.ok ? 'OK' : `${report.violations.length} VIOLATIONS`}`);
  for (const c of report.checked) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.rule.padEnd(18)} ${c.detail}`);
  if (ck.violations?.length) console.log(`  (exported with --allow-violations: ${ck.violations.length} recorded)`);
  if (power) {
    console.log(
      `\nProjected chip power — ESTIMATE from profile ${model.chip.id}${model.chip.power.calibrated ? '' : ' (UNCALIBRATED for this chip)'}, mean over ${power.clips} reference clip(s) (${inputs.join(', ')}):`,
    );
    console.log(
      `  total ${uW(power.totalW)} (static ${uW(power.staticW)}, dynamic ${uW(power.dynamicW)}), ${nJ(power.energyJ)} per ${fb.recordingDurationS} s inference (${powerLabel(model.chip)})`,
    );
    console.log(`  firing rates per step: ${power.layerRates.map((r) => `${r.name} ${pct(r.rate)}`).join(', ')}`);
  }
  const p = ck.provenance;
  console.log(
    `\nProvenance  ${p.tool} ${p.toolVersion}, ${p.createdAt}${p.seed !== undefined ? `, seed ${p.seed}` : ''}${p.data ? `, data ${p.data}` : ''}`,
  );
  if (p.command) console.log(`            ${p.command}`);
  return report.ok ? 0 : 1;
}
