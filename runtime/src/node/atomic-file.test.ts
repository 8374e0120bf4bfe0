import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav16 } from '../dsp/wav.js';
import { writeFileAtomic, writeFileAtomicSync } from './atomic-file.js';
import { readWavFile } from './wav-file.js';

const dir = mkdtempSync(join(tmpdir(), 'nwave-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  ['writeFileAtomic', writeFileAtomic],
  ['writeFileAtomicSync', writeFileAtomicSync],
] as const)('%s', (name, write) => {
  it('writes through a temporary sibling and a rename, creating folders, leaving no temp file', async () => {
    const p = join(dir, name, 'sub', 'out.wav');
    const x = Float32Array.from({ length: 800 }, (_, i) => 0.5 * Math.sin(i / 10));
    await write(p, encodeWav16(x, 8000));
    await write(p, encodeWav16(x, 16000)); // overwrite
    expect(readdirSync(join(dir, name, 'sub'))).toEqual(['out.wav']);
    const a = readWavFile(p);
    expect([a.sampleRateHz, a.samples.length]).toEqual([16000, 800]);
    await write(join(dir, name, 'a.json'), '{"a":1}\n');
    expect(readFileSync(join(dir, name, 'a.json'), 'utf8')).toBe('{"a":1}\n');
  });

  it('leaves the target untouched and no temp file behind when the rename fails', async () => {
    // A non-empty folder where the file should go: the temporary file is written, the rename fails.
    const target = join(dir, name, 'taken');
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'keep.txt'), 'kept');
    await expect(async () => write(target, 'new')).rejects.toThrow();
    expect(readdirSync(join(dir, name)).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(readFileSync(join(target, 'keep.txt'), 'utf8')).toBe('kept');
  });
});
