import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeFeatures } from '@nwave/runtime';
import { NWaveDataGen, NWaveDataloaderConfig, type NWaveDataGenOptions } from './data-gen.js';
import { loadClip } from './dataset-folder.js';
import { speakerOf } from './splits.js';
import { tone, writeTestWav } from './test-wav.js';

const REAL = join(import.meta.dirname, '../../test/fixtures/audio/speech-commands');

/** A dataset root: the committed real clips when present, else tones in the same layout. */
function makeRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'nwave-dg-'));
  if (existsSync(REAL)) {
    cpSync(REAL, root, { recursive: true });
  } else {
    const spk = ['0cb74144', '18f8afd5', '1acc97de'];
    spk.forEach((s, i) => writeTestWav(join(root, 'yes', `${s}_nohash_0.wav`), [tone(400 + 50 * i, 1, 16000)], 16000));
    spk.forEach((s, i) => writeTestWav(join(root, 'no', `${s}_nohash_0.wav`), [tone(900 + 50 * i, 1, 16000)], 16000));
    writeTestWav(join(root, '_silence_', '1024.wav'), [tone(60, 1, 16000, 0.01)], 16000);
    writeTestWav(join(root, '_unknown_', 'bed_28497c5b_nohash_0.wav'), [tone(2000, 1, 16000)], 16000);
  }
  // Extra clips so every set is populated, at other rates and lengths.
  writeTestWav(join(root, 'yes', 'aaaa0001_nohash_0.wav'), [tone(500, 0.8, 48000), tone(500, 0.8, 48000, 0.1)], 48000, 's24');
  writeTestWav(join(root, 'no', 'aaaa0002_nohash_0.wav'), [tone(700, 1.3, 22050)], 22050, 'f32');
  writeFileSync(join(root, 'no', 'corrupt_nohash_0.wav'), 'not a wav file');
  writeFileSync(join(root, 'no', 'notes.txt'), 'ignored');
  return root;
}

const cfg = { batch_size: 3, val_split: 0.25, test_split: 0, shuffle_train: true, random_state: 123 };

describe('NWaveDataGen', () => {
  let root: string;
  let opts: NWaveDataGenOptions;
  const logs: string[] = [];
  beforeAll(() => {
    root = makeRoot();
    opts = {
      data_parent: root,
      sample_rate: 16000,
      recording_duration_s: 1,
      sim_time_s: 8e-3,
      dataloader_config: cfg,
      return_filename: true,
      log: (m) => logs.push(m),
    };
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('validates the config like NWaveDataloaderConfig', () => {
    const c = new NWaveDataloaderConfig({ batch_size: 16, val_split: 0.15, test_split: 0, shuffle_train: true });
    expect([c.num_workers, c.random_state]).toEqual([4, 42]);
    expect(() => new NWaveDataloaderConfig({ ...cfg, batch_size: 0 })).toThrow(/batch_size/);
    expect(() => new NWaveDataloaderConfig({ ...cfg, val_split: 1.5 })).toThrow(/val_split/);
    expect(() => new NWaveDataGen({ ...opts, sim_time_s: 1e-4 / 3 })).toThrow(/whole number of samples/);
    expect(() => new NWaveDataGen({ ...opts, task: 'regression' })).toThrow(/not implemented/);
  });

  it('yields [B, 125, 13] batches at 16 kHz / 1 s / 8 ms, with labels, file names and a speaker split', async () => {
    const dl = await new NWaveDataGen(opts).dataloaders();
    expect(dl.shape).toMatchObject({ T: 125, C: 13, binSamples: 128, targetLen: 16000 });
    expect(dl.labels).toEqual(['_silence_', '_unknown_', 'no', 'yes']);
    expect(logs.some((l) => l.includes('Using 13 valid freqs out of 16'))).toBe(true);
    // The corrupt file is reported (count + name), left out, and nothing else is.
    expect(dl.failures.map((f) => f.file)).toEqual(['no/corrupt_nohash_0.wav']);
    expect(logs.some((l) => /skipped 1 unreadable/.test(l) && l.includes('no/corrupt_nohash_0.wav'))).toBe(true);
    const total = dl.train.size + dl.val.size + dl.test.size;
    expect(total).toBe(dl.stats.clips);
    expect(dl.test.size).toBe(0);
    expect(dl.val.size).toBeGreaterThan(0);
    expect(dl.split.mode).toBe('speaker');
    const trainSpk = new Set(dl.train.files.map(speakerOf).filter(Boolean));
    expect(dl.val.files.map(speakerOf).filter((s) => s && trainSpk.has(s))).toEqual([]);

    let seen = 0;
    for (const b of dl.train) {
      const [B, T, C] = b.shape;
      expect([T, C]).toEqual([125, 13]);
      expect(b.x.length).toBe(B * T * C);
      expect(b.y.length).toBe(B);
      expect(b.filenames).toHaveLength(B);
      for (let i = 0; i < B; i++) {
        expect(dl.labels[b.y[i]]).toBe(b.filenames![i].split('/')[0]);
        // The batch holds exactly the filterbank features of that file.
        const want = computeFeatures(loadClip(join(root, b.filenames![i]), { sampleRateHz: 16000, durationS: 1 }), dl.filterbank).data;
        expect(b.x.subarray(i * T * C, (i + 1) * T * C)).toEqual(want);
      }
      expect(b.x.every((v) => v >= 0 && Number.isFinite(v))).toBe(true);
      seen += B;
    }
    expect(seen).toBe(dl.train.size);
    expect(dl.train.length).toBe(Math.ceil(dl.train.size / 3));
    expect([...dl.test]).toEqual([]);
  });

  it('reshuffles the training set per epoch, reproducibly from random_state', async () => {
    const order = async (): Promise<string[][]> => {
      const dl = await new NWaveDataGen(opts).dataloaders();
      return [0, 1].map(() => [...dl.train].flatMap((b) => b.filenames!));
    };
    const [a0, a1] = await order();
    const [b0, b1] = await order();
    expect([a0, a1]).toEqual([b0, b1]);
    expect(a0).not.toEqual(a1);
    expect([...a0].sort()).toEqual([...a1].sort());
  });

  it('other rates and bins: 32 kHz, 1 ms → T = 1000, 16 channels', async () => {
    const dl = await new NWaveDataGen({
      ...opts,
      sample_rate: 32000,
      sim_time_s: 1e-3,
      classes: { words: ['yes', 'no'], background: true },
    }).dataloaders();
    expect(dl.shape).toMatchObject({ T: 1000, C: 16, binSamples: 32 });
    expect(dl.labels).toEqual(['yes', 'no', '_background_']);
    const b = dl.val[Symbol.iterator]().next().value!;
    expect(b.shape.slice(1)).toEqual([1000, 16]);
  });

  it('caches features on disk and recomputes a changed file', async () => {
    const cache_dir = join(root, '.cache', 'features');
    const first = await new NWaveDataGen({ ...opts, cache_dir }).dataloaders();
    expect(first.stats.cacheHits).toBe(0);
    const second = await new NWaveDataGen({ ...opts, cache_dir }).dataloaders();
    expect(second.stats.cacheHits).toBe(second.stats.clips);
    expect([...second.val][0].x).toEqual([...first.val][0].x);
    utimesSync(join(root, 'yes', 'aaaa0001_nohash_0.wav'), new Date(), new Date(Date.now() + 10_000));
    const third = await new NWaveDataGen({ ...opts, cache_dir }).dataloaders();
    expect(third.stats.cacheHits).toBe(third.stats.clips - 1);
  });

  it('augments the training set per epoch (variant = epoch mod (variants + 1)), never val', async () => {
    const aug = { ...opts, dataloader_config: { ...cfg, shuffle_train: false }, augment: { variants: 2, seed: 9 } };
    const dl = await new NWaveDataGen(aug).dataloaders();
    const epochs = [0, 1, 2, 3].map((e) => [...dl.train.batches(e)].map((b) => b.x));
    expect(epochs[0]).not.toEqual(epochs[1]);
    expect(epochs[1]).not.toEqual(epochs[2]);
    expect(epochs[3]).toEqual(epochs[0]);
    const clean = await new NWaveDataGen({ ...opts, dataloader_config: { ...cfg, shuffle_train: false } }).dataloaders();
    expect(epochs[0]).toEqual([...clean.train.batches(0)].map((b) => b.x));
    expect([...dl.val.batches(1)].map((b) => b.x)).toEqual([...clean.val.batches(1)].map((b) => b.x));
    const again = await new NWaveDataGen(aug).dataloaders();
    expect([...again.train.batches(1)].map((b) => b.x)).toEqual(epochs[1]);
  });

  it('uses validation_list.txt / testing_list.txt when present, and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nwave-dg-lists-'));
    try {
      cpSync(root, dir, { recursive: true });
      writeFileSync(join(dir, 'validation_list.txt'), 'yes/aaaa0001_nohash_0.wav\n');
      writeFileSync(join(dir, 'testing_list.txt'), 'no/aaaa0002_nohash_0.wav\n');
      const lines: string[] = [];
      const dl = await new NWaveDataGen({ ...opts, data_parent: dir, log: (m) => lines.push(m) }).dataloaders();
      expect(dl.split.mode).toBe('official');
      expect(dl.val.files).toEqual(['yes/aaaa0001_nohash_0.wav']);
      expect(dl.test.files).toEqual(['no/aaaa0002_nohash_0.wav']);
      expect(lines.some((l) => l.includes('val_split and test_split are ignored'))).toBe(true);
      const off = await new NWaveDataGen({ ...opts, data_parent: dir, use_official_lists: false }).dataloaders();
      expect(off.split.mode).toBe('speaker');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
