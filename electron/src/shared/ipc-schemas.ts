/**
 * Argument validation for every invoke channel (zod), applied in main before a handler runs and
 * by the browser dev server. The renderer is trusted less than main: files and folders are
 * capability handles (resolved in main), names must be plain folder names, sizes are bounded.
 */
import { z } from 'zod';
import { chipProfileIds, chipShortName, findChipProfileByName, getChipProfile } from '@nwave/runtime';
import { isTrainRecipeName, trainRecipeNames } from '@nwave/training/recipes';
import { MAX_DETECTOR_THRESHOLDS, type InvokeChannel } from './ipc-contract.js';

const MAX_PATH = 4096;
/** Longest recording accepted: 60 s at 192 kHz. */
const MAX_RECORDING_SAMPLES = 60 * 192_000;

/**
 * A file or folder reference from the renderer: a capability handle issued by main
 * (`cap-<token>:<name>[/<entry>]`, see handlers/capabilities.ts). Main resolves it; a raw path is
 * refused there (except by the `npm run web` dev server, where a typed path is the user's pick).
 */
export const fileRef = z
  .string()
  .min(1)
  .max(MAX_PATH)
  .refine((p) => !p.includes('\0'), 'reference contains a NUL byte');

/** A class folder name: letters, digits, `_` and `-` (no separators, no dots). */
export const wordName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a word is 1-64 letters, digits, "_" or "-"');

/** A chip profile's short name or id (`h1v2`, `h1v2-estimate`). */
export const chipName = z
  .string()
  .max(64)
  .refine((c) => findChipProfileByName(c) !== undefined, {
    error: (iss) =>
      `unknown chip ${JSON.stringify(iss.input)} (known: ${chipProfileIds()
        .map((id) => chipShortName(getChipProfile(id)))
        .join(', ')})`,
  });

/** A training recipe's name. */
export const recipeName = z
  .string()
  .max(64)
  .refine(isTrainRecipeName, { error: (iss) => `unknown recipe ${JSON.stringify(iss.input)} (known: ${trainRecipeNames().join(', ')})` });

/** Checkpoint name (as the checkpoint schema bounds it) -> softmax confidence threshold. zod drops a `__proto__` key. */
export const detectorThresholdsSchema = z
  .record(z.string().min(1).max(200), z.number().min(0).max(1))
  .refine((r) => Object.keys(r).length <= MAX_DETECTOR_THRESHOLDS, `at most ${MAX_DETECTOR_THRESHOLDS} models`);

export const settingsPatchSchema = z.strictObject({
  inputDeviceId: z.string().max(512).optional(),
  modelPath: fileRef.nullable().optional(),
  compareModelPath: fileRef.nullable().optional(),
  rasterWindowS: z.number().min(1).max(30).optional(),
  dataFolder: z.string().max(MAX_PATH).optional(),
  trainWords: z.array(wordName).max(32).optional(),
  trainBackground: z.boolean().optional(),
  trainEpochs: z.int().min(1).max(10_000).optional(),
  trainChip: chipName.nullable().optional(),
  trainRecipe: recipeName.nullable().optional(),
  recordWord: z.union([wordName, z.literal('')]).optional(),
  recordSeconds: z.number().min(0.25).max(10).optional(),
  detectorThresholds: detectorThresholdsSchema.optional(),
});

export const recordingSchema = z.strictObject({
  folder: fileRef,
  word: wordName,
  sampleRateHz: z.int().min(8000).max(192_000),
  samples: z
    .instanceof(Float32Array)
    .refine((s) => s.length > 0 && s.length <= MAX_RECORDING_SAMPLES, 'recording is empty or longer than 60 s'),
});

export const trainingRequestSchema = z.strictObject({
  data: fileRef,
  words: z.array(wordName).min(1).max(32),
  background: z.boolean(),
  epochs: z.int().min(1).max(10_000),
  out: fileRef.refine((p) => p.endsWith('.nwave.json'), 'output must end in .nwave.json').optional(),
  seed: z.int().optional(),
  resume: z.boolean().optional(),
  chip: chipName.optional(),
  recipe: recipeName.optional(),
});

/** Argument tuple schema of each channel. */
export const INVOKE_ARG_SCHEMAS: { [C in InvokeChannel]: z.ZodType<unknown[]> } = {
  'app:info': z.tuple([]),
  'settings:get': z.tuple([]),
  'settings:update': z.tuple([settingsPatchSchema]),
  'model:load-default': z.tuple([]),
  'model:read': z.tuple([fileRef.refine((p) => /\.json$/i.test(p), 'a model file ends in .json (*.nwave.json)')]),
  'model:open-dialog': z.tuple([]),
  'folder:pick': z.tuple([z.enum(['data', 'audio'])]),
  'audio:scan-folder': z.tuple([fileRef]),
  'audio:read': z.tuple([fileRef.refine((p) => /\.wav$/i.test(p), 'only .wav files can be read')]),
  'data:scan': z.tuple([fileRef]),
  'recording:save': z.tuple([recordingSchema]),
  'training:start': z.tuple([trainingRequestSchema]),
  'training:cancel': z.tuple([z.string().regex(/^[A-Za-z0-9_-]{1,80}$/)]),
  'training:runs': z.tuple([]),
  'training:recipes': z.tuple([]),
  'mic:request-access': z.tuple([]),
  'profile:get': z.tuple([]),
};
