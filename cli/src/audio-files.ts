import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isAudioFileName } from '@nwave/runtime/node';

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
