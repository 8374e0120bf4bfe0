/**
 * Features of one dataset file: load → (augment) → filterbank, through the optional disk cache.
 * Shared by the eager extraction in `NWaveDataGen` and the lazy augmented variants of the
 * training loader.
 */
import { join } from 'node:path';
import { computeFeatures, type ResolvedFilterbankConfig } from '@nwave/runtime';
import { augmentClip, type AugmentConfig, type NoiseBank } from './augment.js';
import { loadClip, type ClipFormat } from './dataset-folder.js';
import { featureKey, fileIdentity, type CachedFeatures, type FeatureCache } from './feature-cache.js';
import { deriveSeed, mulberry32 } from './mulberry32.js';

/** How augmented variants are made. */
export interface AugmentPlan {
  config: AugmentConfig;
  seed: number;
  noise?: NoiseBank;
  /** Identity of the noise bank in cache keys (file list); computed by the caller once. */
  noiseId?: string;
}

export interface ClipFeatureContext {
  root: string;
  format: ClipFormat;
  filterbank: ResolvedFilterbankConfig;
  cache?: FeatureCache;
  augment?: AugmentPlan;
}

/**
 * Features of `file` (root-relative). `variant` 0 is the clean clip; `variant` k > 0 is the
 * clip augmented with the seed `deriveSeed(augment.seed, file, k)`.
 * @throws AudioFormatError for an unreadable file; Error if the frame count is not `expectedFrames`.
 */
export function clipFeatures(ctx: ClipFeatureContext, file: string, variant = 0, expectedFrames?: number): CachedFeatures {
  const path = join(ctx.root, file);
  const aug = variant > 0 ? ctx.augment : undefined;
  if (variant > 0 && !aug) throw new Error(`variant ${variant} of ${file} requested without an augmentation plan`);
  let key: string | undefined;
  if (ctx.cache) {
    key = featureKey(fileIdentity(path), {
      sampleRateHz: ctx.format.sampleRateHz,
      durationS: ctx.format.durationS,
      filterbank: ctx.filterbank,
      augment: aug ? { config: aug.config, seed: aug.seed, variant, noise: aug.noiseId ?? null } : null,
    });
    const hit = ctx.cache.get(
      key,
      expectedFrames === undefined ? undefined : { frames: expectedFrames, channels: ctx.filterbank.centerFrequenciesHz.length },
    );
    if (hit) return hit;
  }
  let samples = loadClip(path, ctx.format);
  if (aug)
    samples = augmentClip(samples, mulberry32(deriveSeed(aug.seed, file, variant)), ctx.format.sampleRateHz, aug.config, aug.noise).samples;
  const features = computeFeatures(samples, ctx.filterbank);
  if (expectedFrames !== undefined && features.frames !== expectedFrames) {
    throw new Error(`${file}: filterbank gave ${features.frames} frames, expected ${expectedFrames}`);
  }
  if (ctx.cache && key) ctx.cache.set(key, features);
  return features;
}
