import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOfficialLists, speakerOf, splitFiles } from './splits.js';
import { deriveSeed, mulberry32, shuffleInPlace } from './mulberry32.js';

describe('mulberry32', () => {
  it('is deterministic per seed and roughly uniform', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 10000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(mulberry32(8)()).not.toBe(xs[0]);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
    // Known first value, so an accidental change of the generator (and of every split) is caught.
    expect(mulberry32(42)()).toBeCloseTo(0.6011037519201636, 12);
  });

  it('derives independent seeds from tags', () => {
    expect(deriveSeed(1, 'a', 0)).toBe(deriveSeed(1, 'a', 0));
    expect(deriveSeed(1, 'a', 0)).not.toBe(deriveSeed(1, 'a', 1));
    expect(deriveSeed(1, 'a', 0)).not.toBe(deriveSeed(2, 'a', 0));
    expect(shuffleInPlace([1, 2, 3, 4, 5], mulberry32(3)).sort()).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('speakerOf', () => {
  it('reads Speech Commands names, with or without a word prefix', () => {
    expect(speakerOf('no/0c40e715_nohash_0.wav')).toBe('0c40e715');
    expect(speakerOf('_unknown_/backward_0cb74144_nohash_2.wav')).toBe('0cb74144');
    expect(speakerOf('yes/syn-en-us-m3_nohash_12.wav')).toBe('syn-en-us-m3');
    expect(speakerOf('_silence_/1024.wav')).toBeUndefined();
    expect(speakerOf('no/train_no_e3b64217_0_2769.wav')).toBeUndefined();
  });
});

describe('splitFiles', () => {
  const plain = Array.from({ length: 37 }, (_, i) => `c${i % 3}/clip${String(i).padStart(3, '0')}.wav`);

  it('by file: sort, one seeded shuffle, ceil counts, rest train', () => {
    const s = splitFiles([...plain].reverse(), { val_split: 0.15, test_split: 0.1, random_state: 123 });
    expect(s.mode).toBe('file');
    expect(s.test.length).toBe(Math.ceil(37 * 0.1));
    expect(s.val.length).toBe(Math.ceil(37 * 0.15));
    expect(s.train.length).toBe(37 - 4 - 6);
    // Reference rule, written out: the first n_test shuffled files are test, the next n_val val.
    const order = shuffleInPlace([...plain].sort(), mulberry32(123));
    expect(s.test).toEqual(order.slice(0, 4).sort());
    expect(s.val).toEqual(order.slice(4, 10).sort());
    // Input order does not matter; the seed does.
    expect(splitFiles(plain, { val_split: 0.15, test_split: 0.1, random_state: 123 })).toEqual(s);
    expect(splitFiles(plain, { val_split: 0.15, test_split: 0.1, random_state: 124 }).val).not.toEqual(s.val);
  });

  it('test_split = 0 gives an empty test set', () => {
    const s = splitFiles(plain, { val_split: 0.2, test_split: 0 });
    expect(s.test).toEqual([]);
    expect(s.val.length).toBe(8);
  });

  it('by speaker: no speaker on two sides, counts near the fractions', () => {
    const files: string[] = [];
    const rand = mulberry32(5);
    for (let s = 0; s < 60; s++) {
      const spk = ((s * 2654435761) >>> 0).toString(16).padStart(8, '0');
      const n = 1 + Math.floor(rand() * 6);
      for (let k = 0; k < n; k++) files.push(`${k % 2 ? 'yes' : 'no'}/${spk}_nohash_${k}.wav`);
      files.push(`_unknown_/bed_${spk}_nohash_0.wav`);
    }
    files.push('_silence_/1.wav', '_silence_/2.wav');
    const s = splitFiles(files, { val_split: 0.15, test_split: 0.15, random_state: 42 });
    expect(s.mode).toBe('speaker');
    const sp = s.speakers!;
    const all = [...sp.train, ...sp.val, ...sp.test];
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(60);
    for (const [set, list] of Object.entries({ train: s.train, val: s.val, test: s.test })) {
      for (const f of list) {
        const spk = speakerOf(f);
        if (spk) expect(sp[set as 'train'].includes(spk)).toBe(true);
      }
    }
    expect(s.train.length + s.val.length + s.test.length).toBe(files.length);
    expect(Math.abs(s.val.length / files.length - 0.15)).toBeLessThan(0.05);
    expect(Math.abs(s.test.length / files.length - 0.15)).toBeLessThan(0.05);
  });

  it('follows the official lists when given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nwave-split-'));
    try {
      writeFileSync(join(dir, 'validation_list.txt'), 'yes/a_nohash_0.wav\n');
      writeFileSync(join(dir, 'testing_list.txt'), 'no/b_nohash_0.wav\r\n\n');
      const lists = readOfficialLists(dir)!;
      const s = splitFiles(
        ['yes/a_nohash_0.wav', 'no/b_nohash_0.wav', 'no/c_nohash_0.wav'],
        { val_split: 0.5, test_split: 0.5 },
        { officialLists: lists },
      );
      expect(s).toEqual({ mode: 'official', train: ['no/c_nohash_0.wav'], val: ['yes/a_nohash_0.wav'], test: ['no/b_nohash_0.wav'] });
      expect(readOfficialLists(join(dir, 'missing'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad fractions', () => {
    expect(() => splitFiles(plain, { val_split: 0.7, test_split: 0.4 })).toThrow(/must not exceed 1/);
    expect(() => splitFiles(plain, { val_split: -0.1, test_split: 0 })).toThrow(/val_split/);
  });
});
