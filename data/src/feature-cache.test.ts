import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureCache, featureCodeVersion, featureKey, fileIdentity, stableStringify, FEATURE_CACHE_VERSION } from './feature-cache.js';

describe('feature-cache', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nwave-fc-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keys change with every parameter and with the file, not with key order', () => {
    const wav = join(dir, 'a.wav');
    writeFileSync(wav, 'abc');
    const id = fileIdentity(wav);
    const params = {
      sampleRateHz: 16000,
      durationS: 1,
      filterbank: { q: 4, gain: 1000, binS: 0.008, centerFrequenciesHz: [100, 200] },
      augment: null,
    };
    const k = featureKey(id, params);
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(
      featureKey(id, {
        augment: null,
        filterbank: { centerFrequenciesHz: [100, 200], binS: 0.008, gain: 1000, q: 4 },
        durationS: 1,
        sampleRateHz: 16000,
      }),
    ).toBe(k);
    const variants = [
      { ...params, sampleRateHz: 8000 },
      { ...params, durationS: 1.5 },
      { ...params, filterbank: { ...params.filterbank, q: 5 } },
      { ...params, filterbank: { ...params.filterbank, centerFrequenciesHz: [100, 201] } },
      { ...params, augment: { seed: 1, variant: 1 } },
    ];
    for (const v of variants) expect(featureKey(id, v)).not.toBe(k);
    expect(featureKey(id, params, 'other-version')).not.toBe(k);
    utimesSync(wav, new Date(), new Date(Date.now() + 5000));
    expect(featureKey(fileIdentity(wav), params)).not.toBe(k);
    writeFileSync(wav, 'abcd');
    expect(fileIdentity(wav).sizeBytes).toBe(4);
    expect(featureCodeVersion()).toMatch(new RegExp(`^${FEATURE_CACHE_VERSION}\\+[0-9a-f]{16}$`));
    expect(stableStringify({ b: [1, { d: 1, c: 2 }], a: undefined })).toBe('{"b":[1,{"c":2,"d":1}]}');
  });

  it('round-trips entries atomically and treats damaged or mismatched ones as misses', () => {
    const cache = new FeatureCache(join(dir, 'features'));
    const data = Float32Array.from({ length: 6 }, (_, i) => i * 0.5 + 0.25);
    expect(cache.get('k1')).toBeUndefined();
    cache.set('k1', { data, frames: 3, channels: 2 });
    expect(readdirSync(cache.dir)).toEqual(['k1.f32']); // no temp files left
    const hit = cache.get('k1', { frames: 3, channels: 2 })!;
    expect(hit.data).toEqual(data);
    expect([hit.frames, hit.channels]).toEqual([3, 2]);
    expect(cache.get('k1', { frames: 2, channels: 3 })).toBeUndefined(); // wrong shape → dropped
    expect(readdirSync(cache.dir)).toEqual([]);
    cache.set('k2', { data, frames: 3, channels: 2 });
    writeFileSync(cache.pathOf('k2'), Buffer.from('NWF1 truncated'));
    expect(cache.get('k2')).toBeUndefined();
    expect([cache.hits, cache.misses]).toEqual([1, 3]);
  });
});
