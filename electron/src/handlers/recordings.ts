/**
 * Saves the user's own example of a word into a data folder: `<folder>/<word>/rec-<time>.wav`,
 * resampled to 16 kHz mono 16-bit (the Speech Commands layout the trainer reads), atomically.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { resample } from '@nwave/runtime';
import { encodeWav16 } from '@nwave/runtime/wav';
import { writeFileAtomic } from '@nwave/runtime/node';
import type { RecordingRequest } from '../shared/ipc-contract.js';

/** Rate of saved examples, Hz. @defaultValue 16000 */
export const RECORDING_RATE_HZ = 16_000;

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\..*$/, '');
}

/** Writes one recording; returns its path and the number of clips now in the word's folder. */
export async function saveRecording(req: RecordingRequest, now = new Date()): Promise<{ file: string; clips: number }> {
  const dir = path.join(req.folder, req.word);
  const samples =
    req.sampleRateHz === RECORDING_RATE_HZ ? req.samples : Float32Array.from(resample(req.samples, req.sampleRateHz, RECORDING_RATE_HZ));
  const file = path.join(dir, `rec-${stamp(now)}-${Math.random().toString(36).slice(2, 6)}.wav`);
  await writeFileAtomic(file, encodeWav16(samples, RECORDING_RATE_HZ));
  const clips = (await fs.readdir(dir)).filter((n) => n.toLowerCase().endsWith('.wav')).length;
  return { file, clips };
}
