/**
 * Checkpoint -> ONNX. Validates like every other consumer of checkpoints (format errors name the
 * source, chip-rule violations are listed), compiles the integer tables with the runtime's own
 * `compileFixedPoint` (so the graph carries exactly the integers the runtime executes), builds the
 * Scan graph and the metadata, and serialises the ModelProto. Browser-safe: no file access here.
 */
import {
  checkConstraints,
  CheckpointFormatError,
  compileFixedPoint,
  ConstraintError,
  describeLayers,
  getChipProfile,
  parseCheckpoint,
  TOOL_NAME,
  TOOL_VERSION,
  type Checkpoint,
  type FixedPointModel,
  type Violation,
} from '@nwave/runtime';
import { EXPORTER, metadataProps, ONNX_FORMAT, ONNX_FORMAT_VERSION, type OnnxMetadata } from './metadata.js';
import { encodeModel } from './onnx-proto.js';
import type { ArithmeticMode } from './snn-arithmetic.js';
import { buildSnnGraph, GRAPH_IO, MAX_FEATURE_INT, stateNames } from './snn-graph.js';

/** ONNX IR version written (IR 8 = ONNX 1.10+, read by every current runtime). */
export const IR_VERSION = 8;
/** Default-domain opset: Scan-16, Clip-13, Div/Mul/Add-14, ReduceSum-13 all exist at 17. */
export const OPSET_VERSION = 17;

export interface ExportOptions {
  /** Name used in error messages (the checkpoint file path). */
  source?: string;
  /**
   * Export even when the checkpoint breaks chip rules; the violations go into the metadata.
   * @defaultValue false
   */
  allowViolations?: boolean;
  /**
   * Encoding of the integers in the graph: `float64` (the runtime's own, fastest in onnxruntime-web)
   * or `int64` (for integer-only tools). Both are exact; see snn-arithmetic.ts.
   * @defaultValue 'float64'
   */
  arithmetic?: ArithmeticMode;
  /**
   * The streaming form (see `SnnGraphOptions.carryState`): what the `onnx` backend runs for long
   * recordings chunk by chunk. Files for other tools are exported without it.
   * @defaultValue false
   */
  carryState?: boolean;
}

export interface OnnxExport {
  /** The serialised ModelProto (write it as `*.onnx`). */
  bytes: Uint8Array;
  metadata: OnnxMetadata;
  /** The validated source checkpoint. */
  checkpoint: Checkpoint;
  /** The integer tables the graph was built from (what the `js` backend runs). */
  fixedPoint: FixedPointModel;
}

const QUANTIZATION = `x_int = min(floor(x * 2^F + 0.5), ${MAX_FEATURE_INT}) for x > 0, else 0 (float64; F = inputFracBits)`;

/**
 * Exports a checkpoint (object or JSON text) to ONNX.
 * @throws CheckpointFormatError naming `source` for malformed input or arithmetic that cannot be compiled.
 * @throws ConstraintError listing every violated chip rule (unless `allowViolations`).
 */
export function exportOnnx(input: Checkpoint | string | unknown, opts: ExportOptions = {}): OnnxExport {
  const source = opts.source ?? '<checkpoint>';
  const ck = parseCheckpoint(input, source);
  const chip = getChipProfile(ck.chipProfile, source);
  const report = checkConstraints(ck, chip);
  if (!report.ok && !opts.allowViolations) {
    throw new ConstraintError(
      `${source}: not compliant with chip profile ${chip.id} (${report.violations.length} violations); export with --allow-violations to keep them`,
      report.violations,
      { file: source },
    );
  }
  let fixedPoint: FixedPointModel;
  try {
    fixedPoint = compileFixedPoint(ck, chip);
  } catch (e) {
    if (e instanceof CheckpointFormatError) throw new CheckpointFormatError(`${source}: ${e.message}`, { ...e.context, file: source });
    throw e;
  }
  const encoding = opts.arithmetic ?? 'float64';
  const graph = buildSnnGraph(fixedPoint, ck.name.replace(/[^\w.-]+/g, '_'), { arithmetic: encoding, carryState: opts.carryState });
  const carried = opts.carryState ? stateNames(fixedPoint) : { inputs: [], outputs: [] };
  const violations: Violation[] = [...(report.ok ? [] : report.violations)];
  const metadata: OnnxMetadata = {
    format: ONNX_FORMAT,
    formatVersion: ONNX_FORMAT_VERSION,
    exporter: EXPORTER,
    name: ck.name,
    ...(ck.description ? { description: ck.description } : {}),
    checkpointFormat: ck.format,
    checkpointVersion: ck.version,
    labels: ck.labels,
    outputPopulation: ck.network.outputPopulation ?? 1,
    backgroundLabels: ck.backgroundLabels,
    chipProfile: ck.chipProfile,
    filterbank: ck.filterbank,
    detector: ck.detector,
    threshold: ck.network.threshold,
    arithmetic: {
      ...ck.network.arithmetic,
      thresholdInt: fixedPoint.thresholdInt,
      reset: fixedPoint.reset,
      membraneCeilingInt: fixedPoint.membraneCeilingInt,
      encoding,
      inputQuantization: QUANTIZATION,
    },
    layers: describeLayers(ck).map((l) => ({
      name: l.name,
      type: l.type,
      inputs: l.inputs,
      size: l.size,
      bits: l.bits,
      wMax: l.wMax,
      recurrent: l.recurrent,
    })),
    graph: {
      form: 'scan',
      inputs: [GRAPH_IO.features, ...carried.inputs],
      outputs: [GRAPH_IO.outputCounts, GRAPH_IO.layerSpikes, GRAPH_IO.outputSpikes, ...carried.outputs],
    },
    provenance: ck.provenance,
    violations,
  };
  const bytes = encodeModel({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET_VERSION }],
    producerName: TOOL_NAME,
    producerVersion: TOOL_VERSION,
    domain: 'ai.nwave',
    modelVersion: ck.version,
    docString: `nwave-ts fixed-point SNN "${ck.name}": ${GRAPH_IO.features} int32 [batch, steps, channels] (${QUANTIZATION}) -> spike counts. One Scan step = FixedPointNetwork.step, integers encoded as ${encoding}.`,
    graph,
    metadataProps: metadataProps(metadata, ck),
  });
  return { bytes, metadata, checkpoint: ck, fixedPoint };
}
