import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AudioFormatError, NwaveError, type NwaveModel } from '@nwave/runtime';
import { isAudioFileName, openAudioStreamSync } from '@nwave/runtime/node';

/** Audio files (WAV, FLAC, MP3, OGG) named by the arguments: files as given, folders searched recursively (sorted). */
export async function listAudioFiles(args: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const arg of args) {
    const stat = await fs.stat(arg).catch(() => null);
    if (stat?.isDirectory()) {
      const entries = await fs.readdir(arg, { recursive: true });
      out.push(
        ...entries
          .filter((e) => isAudioFileName(e))
          .sort()
          .map((e) => path.join(arg, e)),
      );
    } else {
      out.push(arg); // missing files surface as a per-file error naming them
    }
  }
  return out;
}

/** One input's failure as reported by every command: `{file, error, code}`. */
export interface FileFailure {
  file: string;
  error: string;
  /** The NwaveError code (AUDIO_FORMAT...), or INTERNAL for anything else (a bug, reported, not fatal). */
  code: string;
}

/** The failure record of `file` for any thrown value; the message names the file. */
export function fileFailure(file: string, e: unknown): FileFailure {
  if (e instanceof NwaveError) return { file, error: e.message.includes(file) ? e.message : `${file}: ${e.message}`, code: e.code };
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { file, error: `${file}: internal error (${what})`, code: 'INTERNAL' };
}

/**
 * A reference clip for whole-clip classification (`info --input`, `export-onnx --verify`). The
 * header is checked first: a file much longer than the model's clip is refused before it is
 * read (whole-clip classification would trim it anyway; `nwave detect` streams long files).
 */
export function readClipFile(model: NwaveModel, file: string): { samples: Float32Array; sampleRateHz: number } {
  const clipS = model.checkpoint.filterbank.recordingDurationS;
  const tooLong = (durationS: number) =>
    new AudioFormatError(`${file}: ${durationS.toFixed(1)} s is too long for a ${clipS} s clip (nwave detect streams long files)`, {
      file,
      field: 'durationS',
      value: durationS,
    });
  // Any format, read as a stream: a long file is refused once it passes 10 clip lengths
  // (from the header when it declares its length), never decoded whole first.
  const s = openAudioStreamSync(file);
  try {
    const limit = Math.floor(clipS * 10 * s.sampleRateHz);
    if (s.declaredFrames !== null && s.declaredFrames > limit) throw tooLong(s.declaredFrames / s.sampleRateHz);
    const blocks: Float32Array[] = [];
    let n = 0;
    for (let b = s.read(); b.length > 0; b = s.read()) {
      n += b.length;
      if (n > limit) throw tooLong(n / s.sampleRateHz);
      blocks.push(b.slice());
    }
    const samples = new Float32Array(n);
    blocks.reduce((at, b) => (samples.set(b, at), at + b.length), 0);
    return { samples, sampleRateHz: s.sampleRateHz };
  } finally {
    s.close();
  }
}
