/**
 * espeak-ng + sox: one spoken word as float samples.
 *
 * espeak-ng speaks at 22.05 kHz with silence around the word; sox converts to the target rate,
 * mono, trims the leading and trailing silence (so the word's placement in a clip is ours to
 * choose) and normalises the peak level. sox writes raw little-endian float32 to stdout, so no
 * WAV decoding is needed here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { runTool } from './run-process.js';

/** How one word is spoken. */
export interface VoiceParams {
  /** espeak-ng voice (language code such as `en-us`, `en-gb-scotland`). */
  voice: string;
  /** espeak-ng variant (`m3`, `f2`, `klatt`...), appended as `voice+variant`. */
  variant: string;
  /** Words per minute (espeak `-s`, 80..450). */
  speedWpm: number;
  /** Pitch 0..99 (espeak `-p`). */
  pitch: number;
  /** Peak level after normalisation, dBFS (≤ 0). */
  levelDb: number;
}

/**
 * English espeak-ng voices, by language code (`espeak-ng --voices=en`). MBROLA voices are left
 * out: they need separately installed MBROLA databases and fail without them.
 */
export async function listEnglishVoices(): Promise<string[]> {
  const { stdout } = await runTool('espeak-ng', ['--voices=en']);
  const out = new Set<string>();
  for (const line of stdout.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 5) continue;
    const [, lang, , , file] = cols;
    if (file.startsWith('mb/') || !lang.startsWith('en')) continue;
    out.add(lang);
  }
  return [...out].sort();
}

/** espeak-ng voice variants (`espeak-ng --voices=variant`, the `!v/<name>` files). */
export async function listVariants(): Promise<string[]> {
  const { stdout } = await runTool('espeak-ng', ['--voices=variant']);
  const out: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = /\s!v\/(\S+)/.exec(line);
    if (m) out.push(m[1]);
  }
  return [...new Set(out)].sort();
}

/**
 * Speaks `text` and returns mono float samples at `sampleRateHz`, silence trimmed, peak at
 * `levelDb`. Text is passed as one argument (no shell), so any characters are safe.
 * @throws ToolMissingError / ToolFailedError (from {@link runTool}); Error if the result is silent.
 */
export async function speak(text: string, params: VoiceParams, sampleRateHz = 16000): Promise<Float32Array> {
  const dir = mkdtempSync(join(tmpdir(), 'nwave-espeak-'));
  try {
    const wav = join(dir, 'espeak.wav');
    const other = otherEngine(params.voice);
    const voice = other ? params.voice : params.variant ? `${params.voice}+${params.variant}` : params.voice;
    // flite and festival have no speed or pitch options: sox's tempo and pitch effects do it
    // (pitch 0..99 maps to -300..+300 cents around the voice's own, speed to tempo / 170 wpm).
    const prosody = other ? ['tempo', '-s', (params.speedWpm / 170).toFixed(3), 'pitch', String(Math.round((params.pitch - 50) * 6))] : [];
    if (other) await speakOther(other, text, wav, dir);
    else
      await runTool('espeak-ng', [
        '-v',
        voice,
        '-s',
        String(Math.round(params.speedWpm)),
        '-p',
        String(Math.round(params.pitch)),
        '-w',
        wav,
        '--',
        text,
      ]);
    const { stdoutBytes } = await runTool('sox', [
      wav,
      '-t',
      'raw',
      '-e',
      'floating-point',
      '-b',
      '32',
      '-L',
      '-c',
      '1',
      '-r',
      String(sampleRateHz),
      '-',
      ...prosody,
      // Trim silence at both ends: below −60 dBFS for 10 ms counts as silence.
      'silence',
      '1',
      '0.01',
      '0.1%',
      'reverse',
      'silence',
      '1',
      '0.01',
      '0.1%',
      'reverse',
      'norm',
      String(Math.min(0, params.levelDb)),
    ]);
    const n = Math.floor(stdoutBytes.length / 4);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = stdoutBytes.readFloatLE(i * 4);
    if (n === 0) throw new Error(`${other ? other.engine : 'espeak-ng'} produced silence for "${text}" with voice ${voice}`);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- other Debian voices: flite and festival (voice names `flite:<voice>`, `festival:<voice>`) ----

const FESTIVAL_VOICES = '/usr/share/festival/voices';

function otherEngine(voice: string): { engine: 'flite' | 'festival'; name: string } | null {
  const m = /^(flite|festival):(.+)$/.exec(voice);
  return m ? { engine: m[1] as 'flite' | 'festival', name: m[2] } : null;
}

/** Renders `text` with flite or festival into `wav`. */
async function speakOther(o: { engine: 'flite' | 'festival'; name: string }, text: string, wav: string, dir: string): Promise<void> {
  if (o.engine === 'flite') {
    await runTool('flite', ['-voice', o.name, '-t', text, '-o', wav]);
    return;
  }
  // text2wave reads the text from a file; the voice is selected by evaluating (voice_<name>).
  const txt = join(dir, 'text.txt');
  writeFileSync(txt, text);
  await runTool('text2wave', ['-eval', `(voice_${o.name})`, '-o', wav, txt]);
}

/**
 * flite's built-in voices (`flite -lv`; `awb_time` only speaks times and is left out) and the
 * installed festival voices, as `flite:<voice>` / `festival:<voice>`; none when a tool is missing.
 */
export async function listOtherVoices(): Promise<string[]> {
  const out: string[] = [];
  try {
    const { stdout } = await runTool('flite', ['-lv']);
    for (const v of stdout.replace(/^.*?:/, '').trim().split(/\s+/)) if (v && v !== 'awb_time') out.push(`flite:${v}`);
  } catch {
    // flite not installed: no flite voices.
  }
  if (existsSync(FESTIVAL_VOICES)) {
    for (const lang of readdirSync(FESTIVAL_VOICES)) for (const v of readdirSync(join(FESTIVAL_VOICES, lang))) out.push(`festival:${v}`);
  }
  return out.sort();
}
