/**
 * What an nwave `.onnx` file says about itself, in `ModelProto.metadata_props` (string pairs any
 * ONNX tool can show, e.g. Netron's "metadata" panel). Structured values are JSON. The source
 * checkpoint is embedded too, so a `.onnx` file alone gives the app everything around the graph:
 * filterbank, labels, decision rule, power profile.
 */
import {
  CheckpointFormatError,
  parseCheckpoint,
  TOOL_NAME,
  TOOL_VERSION,
  type ArithmeticSpec,
  type Checkpoint,
  type DetectorSettings,
  type FilterbankSpec,
  type LayerSummary,
  type ResetMode,
  type Violation,
} from '@nwave/runtime';
import { decodeModel } from './onnx-proto.js';

export const ONNX_FORMAT = 'nwave-onnx';
export const ONNX_FORMAT_VERSION = 1;

/** The arithmetic carried by the graph, in integer units. */
export interface GraphArithmetic extends ArithmeticSpec {
  /** Firing threshold in membrane units (2^-membraneFracBits). */
  thresholdInt: number;
  /** The chip's reset after a spike (from the chip profile). */
  reset: ResetMode;
  /** Largest membrane after a subtractive reset, membrane units. */
  membraneCeilingInt: number;
  /** How the graph encodes the integers (both exact): `float64` or `int64`. */
  encoding: 'float64' | 'int64';
  /** How callers must quantize features for the `features` input. */
  inputQuantization: string;
}

export interface OnnxMetadata {
  format: typeof ONNX_FORMAT;
  formatVersion: number;
  /** Tool that wrote the file, e.g. `nwave-ts 0.1.0`. */
  exporter: string;
  name: string;
  description?: string;
  checkpointFormat: string;
  checkpointVersion: number;
  labels: string[];
  /** Output neurons per label (label k owns outputs [k·P, (k+1)·P)); 1 without a population readout. */
  outputPopulation: number;
  backgroundLabels: string[];
  chipProfile: string;
  filterbank: FilterbankSpec;
  detector: DetectorSettings;
  threshold: number;
  arithmetic: GraphArithmetic;
  /** `recurrent`: the layer has in-core recurrent weights (each carries its last spikes as Scan state). */
  layers: Pick<LayerSummary, 'name' | 'type' | 'inputs' | 'size' | 'bits' | 'wMax' | 'recurrent'>[];
  /** Graph form and I/O, for tools that do not read this README. */
  graph: { form: 'scan'; inputs: string[]; outputs: string[] };
  provenance: Checkpoint['provenance'];
  /** Constraint violations, when exported with `allowViolations` (empty when compliant). */
  violations: Violation[];
}

const PREFIX = 'nwave.';
const JSON_KEYS = [
  'labels',
  'outputPopulation',
  'backgroundLabels',
  'filterbank',
  'detector',
  'arithmetic',
  'layers',
  'graph',
  'provenance',
  'violations',
  'formatVersion',
  'checkpointVersion',
  'threshold',
] as const;

/** Metadata as `metadata_props` pairs (`nwave.<field>`), plus the embedded checkpoint. */
export function metadataProps(meta: OnnxMetadata, checkpoint: Checkpoint): { key: string; value: string }[] {
  const props = Object.entries(meta)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ({
      key: PREFIX + k,
      value: typeof v === 'string' && !(JSON_KEYS as readonly string[]).includes(k) ? v : JSON.stringify(v),
    }));
  return [...props, { key: `${PREFIX}checkpoint`, value: JSON.stringify(checkpoint) }];
}

function fail(source: string, problem: string, field?: string): never {
  throw new CheckpointFormatError(`${source}: ${problem}`, { file: source, ...(field ? { field } : {}) });
}

/**
 * Reads the metadata and the embedded checkpoint back from `.onnx` bytes.
 * @param source name shown in errors (the file path).
 * @throws CheckpointFormatError when the bytes are not an nwave ONNX export.
 */
export function readOnnxMetadata(bytes: Uint8Array, source = '<onnx>'): { metadata: OnnxMetadata; checkpoint: Checkpoint } {
  let props: { key: string; value: string }[];
  try {
    props = decodeModel(bytes).metadataProps ?? [];
  } catch (e) {
    fail(source, `not an ONNX model (${(e as Error).message})`);
  }
  const map = new Map(props.map((p) => [p.key, p.value]));
  if (map.get(`${PREFIX}format`) !== ONNX_FORMAT)
    fail(
      source,
      `not an nwave ONNX export (metadata ${PREFIX}format is ${JSON.stringify(map.get(`${PREFIX}format`) ?? null)}, expected "${ONNX_FORMAT}")`,
      `${PREFIX}format`,
    );
  const out: Record<string, unknown> = {};
  for (const [key, value] of map) {
    if (!key.startsWith(PREFIX) || key === `${PREFIX}checkpoint`) continue;
    const field = key.slice(PREFIX.length);
    // A key read from the file must not reach Object.prototype (`out.__proto__ = ...`).
    if (field === '__proto__') fail(source, `metadata key ${key} is not allowed`, key);
    if (!(JSON_KEYS as readonly string[]).includes(field)) {
      out[field] = value;
      continue;
    }
    try {
      out[field] = JSON.parse(value);
    } catch {
      fail(source, `metadata ${key} is not valid JSON`, key);
    }
  }
  if (out.formatVersion !== ONNX_FORMAT_VERSION)
    fail(
      source,
      `unsupported nwave ONNX format version ${JSON.stringify(out.formatVersion)}; this reader reads version ${ONNX_FORMAT_VERSION}`,
      `${PREFIX}formatVersion`,
    );
  for (const k of ['labels', 'arithmetic', 'filterbank', 'layers', 'graph'] as const)
    if (out[k] === undefined) fail(source, `metadata ${PREFIX}${k} is missing`, PREFIX + k);
  const embedded = map.get(`${PREFIX}checkpoint`);
  if (embedded === undefined) fail(source, `metadata ${PREFIX}checkpoint is missing`, `${PREFIX}checkpoint`);
  const checkpoint = parseCheckpoint(embedded, `${source} (embedded checkpoint)`);
  return { metadata: out as unknown as OnnxMetadata, checkpoint };
}

/** The exporter tag written into files. */
export const EXPORTER = `${TOOL_NAME} ${TOOL_VERSION}`;
