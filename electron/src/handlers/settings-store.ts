/**
 * Settings persisted as one JSON file, written atomically (temp file + rename) and serially, so
 * closing the app at any moment leaves either the old or the new file, never half of one.
 * Unknown or invalid fields fall back to their defaults; a corrupt file is kept aside.
 */
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '@nwave/runtime/node';
import { z } from 'zod';
import type { Settings, SettingsPatch } from '../shared/ipc-contract.js';
import { settingsPatchSchema } from '../shared/ipc-schemas.js';

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  version: 1,
  inputDeviceId: '',
  modelPath: null,
  compareModelPath: null,
  rasterWindowS: 4,
  dataFolder: '',
  trainWords: ['yes', 'no'],
  trainBackground: true,
  trainEpochs: 20,
  trainChip: null,
  trainRecipe: null,
  recordWord: 'yes',
  recordSeconds: 1,
  detectorThresholds: Object.freeze({}) as Record<string, number>,
});

/** Keeps each valid field of `raw`, drops the rest (so one bad field never resets everything). */
function sanitize(raw: unknown): Settings {
  const out: Settings = { ...DEFAULT_SETTINGS, trainWords: [...DEFAULT_SETTINGS.trainWords], detectorThresholds: {} };
  if (!raw || typeof raw !== 'object') return out;
  const shape = settingsPatchSchema.shape;
  for (const key of Object.keys(shape) as (keyof typeof shape)[]) {
    const value = (raw as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const parsed = (shape[key] as z.ZodType).safeParse(value);
    if (parsed.success && parsed.data !== undefined) (out as unknown as Record<string, unknown>)[key] = parsed.data;
  }
  return out;
}

export class SettingsStore {
  private cache: Settings | null = null;
  private loading: Promise<void> | null = null;
  private writes: Promise<void> = Promise.resolve();

  constructor(readonly file: string) {}

  /** Current settings (read once, then cached). */
  async get(): Promise<Settings> {
    // One read shared by concurrent first callers: its waiters resume in call order, so
    // concurrent updates queue their writes in call order too (the last one wins on disk).
    this.loading ??= this.load();
    await this.loading;
    return structuredClone(this.cache!);
  }

  private async load(): Promise<void> {
    let raw: unknown = undefined;
    try {
      raw = JSON.parse(await fs.readFile(this.file, 'utf8'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') await fs.rename(this.file, `${this.file}.corrupt-${Date.now()}`).catch(() => undefined);
    }
    this.cache = sanitize(raw);
  }

  /** Merges a validated patch and persists it before resolving. */
  async update(patch: SettingsPatch): Promise<Settings> {
    const valid = settingsPatchSchema.parse(patch);
    const next = { ...(await this.get()), ...Object.fromEntries(Object.entries(valid).filter(([, v]) => v !== undefined)) } as Settings;
    this.cache = next;
    const text = `${JSON.stringify(next, null, 2)}\n`;
    const write = this.writes.then(() => writeFileAtomic(this.file, text));
    this.writes = write.catch(() => undefined);
    await write;
    return structuredClone(next);
  }

  /** Resolves when every pending write has reached the disk. */
  flush(): Promise<void> {
    return this.writes;
  }
}
