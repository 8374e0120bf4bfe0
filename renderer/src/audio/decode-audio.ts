/**
 * Audio files in the app: WAV through the runtime's own decoder (exact samples, same as the
 * CLI), every other format the browser decodes (FLAC, MP3, OGG, AAC/M4A, Opus...) through Web
 * Audio's `decodeAudioData`, averaged to mono at the file's own rate.
 */
import { AudioFormatError } from '@nwave/runtime';
import { decodeWav, type DecodedAudio } from '@nwave/runtime/wav';

/** File name endings offered by file inputs and taken from dropped folders. */
export const AUDIO_EXTENSIONS: readonly string[] = ['.wav', '.wave', '.flac', '.mp3', '.ogg', '.oga', '.opus', '.m4a', '.aac', '.webm'];

/** `accept` attribute of the app's file inputs. */
export const AUDIO_ACCEPT = `${AUDIO_EXTENSIONS.join(',')},audio/*`;

export function isAudioName(name: string): boolean {
  const lower = name.toLowerCase();
  return AUDIO_EXTENSIONS.some((e) => lower.endsWith(e));
}

const isRiff = (b: Uint8Array) => b.length >= 4 && String.fromCharCode(b[0], b[1], b[2], b[3]) === 'RIFF';

/** Decodes `bytes` of any format the runtime (WAV) or the browser can read; errors name the file. */
export async function decodeAudioFileBytes(bytes: Uint8Array, name: string): Promise<DecodedAudio> {
  if (isRiff(bytes)) return decodeWav(bytes, name);
  let buffer: AudioBuffer;
  try {
    // decodeAudioData resamples to the context's rate: 16 kHz, the rate of the models (and of
    // most speech corpora, which then come through unchanged).
    const ctx = new OfflineAudioContext(1, 1, 16000);
    buffer = await ctx.decodeAudioData(bytes.slice().buffer);
  } catch (err) {
    throw new AudioFormatError(`${name}: cannot decode (${(err as Error).message || 'unsupported or corrupt audio'})`, { file: name });
  }
  const n = buffer.length;
  const samples = new Float32Array(n);
  for (let c = 0; c < buffer.numberOfChannels; c++) {
    const ch = buffer.getChannelData(c);
    for (let i = 0; i < n; i++) samples[i] += ch[i] / buffer.numberOfChannels;
  }
  return { sampleRateHz: buffer.sampleRate, channels: buffer.numberOfChannels, bitDepth: '32f', samples, durationS: n / buffer.sampleRate };
}
