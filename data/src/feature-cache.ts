/**
 * On-disk cache of filterbank features: `<dir>/<sha256>.f32`.
 *
 * The key is the SHA-256 of every input that changes the features: the audio file (absolute
 * path, size, mtime), target rate, clip duration, the full filterbank config, the augmentation
 * (seed, variant, parameters, noise bank) and a version string. The version combines
 * {@link FEATURE_CACHE_VERSION} (bump it by hand for a semantic change) with a hash of the
 * source of the modules that compute features, when readable, so editing the DSP code
 * invalidates stale entries automatically.
 *
 * File format: 16-byte header (`NWF1`, frames u32, channels u32, reserved u32, little-endian)
 * then frames × channels float32 little-endian, row-major. A damaged entry counts as a miss.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomicSync } from '@nwave/runtime/node';

/** Bump when the meaning of cached features changes without a source change. */
export const FEATURE_CACHE_VERSION = 'nwave-features-1';

const MAGIC = 0x3146574e; // 'NWF1' little-endian
const HEADER_BYTES = 16;

/** Source files whose content defines the features (relative to this module). */
const FEATURE_SOURCES = [
  '../../runtime/src/dsp/filterbank.ts',
  '../../runtime/src/dsp/filterbank-design.ts',
  '../../runtime/src/dsp/resample.ts',
  '../../runtime/src/dsp/wav.ts',
  './dataset-folder.ts',
  './augment.ts',
  './noise.ts',
];

let cachedCodeVersion: string | undefined;

/** {@link FEATURE_CACHE_VERSION} plus a hash of the feature code (constant alone when sources are not readable, e.g. bundled). */
export function featureCodeVersion(): string {
  if (cachedCodeVersion) return cachedCodeVersion;
  const h = createHash('sha256');
  for (const rel of FEATURE_SOURCES) {
    try {
      h.update(readFileSync(fileURLToPath(new URL(rel, import.meta.url))));
    } catch {
      h.update(`missing:${rel}`);
    }
  }
  cachedCodeVersion = `${FEATURE_CACHE_VERSION}+${h.digest('hex').slice(0, 16)}`;
  return cachedCodeVersion;
}

/** Identity of an audio file: changing its content (size or mtime) changes the key. */
export interface FileIdentity {
  file: string;
  sizeBytes: number;
  mtimeMs: number;
}

/** Absolute path, size and mtime of a file. @throws if the file does not exist */
export function fileIdentity(path: string): FileIdentity {
  const st = statSync(path);
  return { file: resolve(path), sizeBytes: st.size, mtimeMs: st.mtimeMs };
}

/** JSON with sorted object keys, so equal parameters always hash equally. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(',')}}`;
}

/**
 * Cache key: SHA-256 (hex) of the file identity, every feature parameter and the code version.
 * @param params - rate, duration, filterbank config, augmentation...: anything that changes the output.
 */
export function featureKey(file: FileIdentity, params: Record<string, unknown>, version = featureCodeVersion()): string {
  return createHash('sha256').update(stableStringify({ file, params, version })).digest('hex');
}

/** A feature matrix, T × C row-major. */
export interface CachedFeatures {
  data: Float32Array;
  frames: number;
  channels: number;
}

/** The cache folder; safe to share between processes (atomic writes, damaged entries = misses). */
export class FeatureCache {
  readonly dir: string;
  hits = 0;
  misses = 0;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Path of an entry. */
  pathOf(key: string): string {
    return resolve(this.dir, `${key}.f32`);
  }

  /** The entry, or `undefined` (missing, damaged, or a different shape than expected). */
  get(key: string, expected?: { frames: number; channels: number }): CachedFeatures | undefined {
    let buf: Buffer;
    try {
      buf = readFileSync(this.pathOf(key));
    } catch {
      this.misses++;
      return undefined;
    }
    const ok = buf.length >= HEADER_BYTES && buf.readUInt32LE(0) === MAGIC;
    const frames = ok ? buf.readUInt32LE(4) : -1;
    const channels = ok ? buf.readUInt32LE(8) : -1;
    if (
      !ok ||
      buf.length !== HEADER_BYTES + 4 * frames * channels ||
      (expected && (expected.frames !== frames || expected.channels !== channels))
    ) {
      rmSync(this.pathOf(key), { force: true }); // damaged or stale: recompute next time
      this.misses++;
      return undefined;
    }
    const data = new Float32Array(frames * channels);
    for (let i = 0; i < data.length; i++) data[i] = buf.readFloatLE(HEADER_BYTES + 4 * i);
    this.hits++;
    return { data, frames, channels };
  }

  /** Stores an entry atomically (a concurrent reader sees the old file or the new one, never half). */
  set(key: string, features: CachedFeatures): void {
    const buf = Buffer.alloc(HEADER_BYTES + 4 * features.data.length);
    buf.writeUInt32LE(MAGIC, 0);
    buf.writeUInt32LE(features.frames, 4);
    buf.writeUInt32LE(features.channels, 8);
    for (let i = 0; i < features.data.length; i++) buf.writeFloatLE(features.data[i], HEADER_BYTES + 4 * i);
    writeFileAtomicSync(this.pathOf(key), buf);
  }
}
