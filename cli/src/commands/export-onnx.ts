/**
 * `nwave export-onnx MODEL [--out FILE.onnx] [--arithmetic float64|int64] [--allow-violations] [--verify [WAV|DIR...]] [--json]`:
 * writes the network as an ONNX graph (see onnx/README.md) atomically, and optionally proves on
 * real clips that onnxruntime-web gives the runtime's spike counts and decisions.
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { InvalidArgumentError, NwaveModel } from '@nwave/runtime';
import { checkParity, OPSET_VERSION, type ParityReport } from '@nwave/onnx';
import { exportOnnxFile } from '@nwave/onnx/node';
import { fileFailure, listAudioFiles, readClipFile } from '../audio-files.js';
import { checkOutputFile } from '../output-path.js';
import { EXAMPLES_DIR } from '../paths.js';

export interface ExportOnnxOptions {
  out?: string;
  allowViolations?: boolean;
  /** Integer encoding in the graph (default float64). */
  arithmetic?: string;
  /** true: the bundled examples; a list: these WAV files or folders. */
  verify?: boolean | string[];
  json?: boolean;
}

/** `model.nwave.json` -> `model.onnx` next to it. */
export function defaultOnnxPath(model: string): string {
  return path.join(path.dirname(model), `${path.basename(model).replace(/(\.nwave)?\.json$/i, '')}.onnx`);
}

/** Classifies the clips on both backends; the `.onnx` bytes checked are the ones just written. */
async function verify(model: NwaveModel, bytes: Uint8Array, inputs: string[]): Promise<ParityReport & { files: string[] }> {
  const files: string[] = [];
  const clips: ReturnType<NwaveModel['features']>[] = [];
  for (const f of await listAudioFiles(inputs)) {
    try {
      const a = readClipFile(model, f);
      clips.push(model.features(a.samples, a.sampleRateHz));
      files.push(f);
    } catch (e) {
      console.error(`nwave export-onnx: --verify skips ${fileFailure(f, e).error}`);
    }
  }
  if (clips.length === 0) throw new InvalidArgumentError('--verify: no readable clip to check', { field: 'verify', value: inputs });
  return { ...(await checkParity(model, clips, bytes)), files };
}

export async function runExportOnnx(model: string, opts: ExportOnnxOptions): Promise<number> {
  const out = opts.out ?? defaultOnnxPath(model);
  checkOutputFile('--out', out);
  const arithmetic = opts.arithmetic ?? 'float64';
  if (arithmetic !== 'float64' && arithmetic !== 'int64')
    throw new InvalidArgumentError(`--arithmetic: expected float64 or int64, got "${arithmetic}"`, {
      field: 'arithmetic',
      value: arithmetic,
    });
  const result = await exportOnnxFile(model, out, { allowViolations: opts.allowViolations, arithmetic });
  const meta = result.metadata;
  let parity: (ParityReport & { files: string[] }) | undefined;
  if (opts.verify) {
    const inputs = Array.isArray(opts.verify) && opts.verify.length ? opts.verify : existsSync(EXAMPLES_DIR) ? [EXAMPLES_DIR] : [];
    if (!inputs.length) throw new InvalidArgumentError('--verify: no clips given and no bundled examples found', { field: 'verify' });
    parity = await verify(new NwaveModel(result.checkpoint, model), result.bytes, inputs);
  }
  if (opts.json) {
    console.log(
      JSON.stringify({
        file: model,
        out,
        bytes: result.bytes.length,
        name: meta.name,
        labels: meta.labels,
        layers: meta.layers.map((l) => `${l.name}:${l.size}`),
        opset: OPSET_VERSION,
        arithmetic,
        violations: meta.violations,
        ...(parity
          ? { parity: { clips: parity.clips, identical: parity.identical, mismatches: parity.mismatches.map((i) => parity!.files[i]) } }
          : {}),
      }),
    );
  } else {
    console.log(
      `wrote ${out} (${(result.bytes.length / 1024).toFixed(1)} kB): "${meta.name}", ${meta.layers.map((l) => l.size).join('-')} network, labels ${meta.labels.join(', ')}`,
    );
    console.log(
      `  graph: Scan over time, fixed-point integers encoded as ${arithmetic}, opset ${OPSET_VERSION}; input features int32 [batch, steps, ${meta.layers[0].size}]`,
    );
    if (meta.violations.length)
      console.log(`  exported with --allow-violations: ${meta.violations.length} chip-rule violations recorded in the metadata`);
    if (parity) {
      console.log(
        `  parity on ${parity.clips} clip(s): ${parity.identical ? 'identical spike counts and decisions (js runtime = onnxruntime-web)' : `${parity.mismatches.length} MISMATCHES`}`,
      );
      for (const i of parity.mismatches)
        console.log(`    ${parity.files[i]}: js ${JSON.stringify(parity.js[i])} onnx ${JSON.stringify(parity.onnx[i])}`);
    }
  }
  return parity && !parity.identical ? 1 : 0;
}
