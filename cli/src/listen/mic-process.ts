/**
 * The CLI side of the audio helper process (mic-worker.ts): spawns it, turns its messages into
 * events and errors, enforces timeouts (open, watchdog, stop), and keeps PortAudio/ALSA chatter
 * off our stdout while saving the useful lines for error messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import type net from 'node:net';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DeviceError, errorFromJSON, type NwaveError } from '@nwave/runtime';
import type { InputDevice, MicConfig, MicOptions, SampleFormat } from './mic-source.js';
import type { ParentMessage, WorkerMessage, WorkerRequest } from './mic-worker.js';

/** Options of the helper process on top of the device choice. */
export interface MicProcessOptions extends MicOptions {
  /** Copy every PortAudio/ALSA line of the helper to our stderr. */
  verbose?: boolean;
  /** Give up when PortAudio has not opened the device after this long. Default 15 s. */
  openTimeoutS?: number;
  /** Give up when no audio arrives for this long once started. Default 5 s. */
  watchdogS?: number;
}

/** Enumeration noise that every PortAudio program prints on a machine without sound cards. */
const NOISE =
  /Unknown PCM|cannot find card|snd_func_|_snd_config_evaluate|snd_config_expand|parse_card|^PortAudio V|^Input audio options|^Input device name|^Finishing input|^AudioIO:|^\s*$/;

/** Helper output: all of it with --verbose, the informative lines kept for error messages. */
class Diagnostics {
  private readonly lines: string[] = [];
  private readonly partial = { out: '', err: '' };
  constructor(private readonly verbose: boolean) {}
  /** Pipes cut anywhere: only whole lines are judged (a half line would slip past NOISE). */
  add(stream: 'out' | 'err', chunk: Buffer): void {
    const parts = (this.partial[stream] + chunk.toString('utf8')).split('\n');
    this.partial[stream] = parts.pop()!;
    for (const line of parts) {
      if (this.verbose && line.trim()) process.stderr.write(`[portaudio] ${line}\n`);
      if (!NOISE.test(line) && !this.lines.includes(line)) this.lines.push(line);
      if (this.lines.length > 8) this.lines.shift();
    }
  }
  /** Appends what ALSA/PortAudio said to a device error, so "no device" comes with its reason. */
  explain(err: NwaveError): NwaveError {
    if (this.lines.length === 0 || !(err instanceof DeviceError)) return err;
    const said = this.lines.map((l) => `  ${l.trim()}`).join('\n');
    Object.defineProperty(err, 'message', { value: `${err.message}\nALSA/PortAudio said:\n${said}` });
    return err;
  }
}

function spawnHelper(request: WorkerRequest, diag: Diagnostics): ChildProcess {
  const here = import.meta.url;
  const worker = fileURLToPath(new URL(`./mic-worker${here.endsWith('.ts') ? '.ts' : '.js'}`, here));
  // Running from TypeScript sources (tests, dev scripts): the helper needs tsx and the workspaces' sources.
  const loader = here.endsWith('.ts') ? ['--conditions=source', '--import', pathToFileURL(createRequire(here).resolve('tsx')).href] : [];
  const child = spawn(process.execPath, [...loader, worker, JSON.stringify(request)], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'ipc'],
    // segfault-handler (loaded by naudiodon) writes crash.log to the cwd: not the user's folder.
    cwd: os.tmpdir(),
  });
  child.stdout!.on('data', (b: Buffer) => diag.add('out', b));
  child.stderr!.on('data', (b: Buffer) => diag.add('err', b));
  return child;
}

/** Kills the helper politely, then for sure; resolves when it is gone. */
function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    if (child.connected) child.send({ type: 'stop' } satisfies ParentMessage, () => {});
    else child.kill('SIGTERM');
    const hard = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => clearTimeout(hard));
  });
}

/** Lists input devices in a helper process (PortAudio enumeration can block on a bad device); none is a DeviceError. */
export async function listDevicesIsolated(opts: { verbose?: boolean; timeoutS?: number } = {}): Promise<InputDevice[]> {
  const diag = new Diagnostics(opts.verbose ?? false);
  const child = spawnHelper({ mode: 'list' }, diag);
  const timeoutS = opts.timeoutS ?? 15;
  try {
    return await new Promise<InputDevice[]>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new DeviceError(`PortAudio did not list the devices within ${timeoutS} s (a device may be blocking)`)),
        timeoutS * 1000,
      );
      child.on('message', (m: WorkerMessage) => {
        if (m.type === 'devices' && m.devices.length > 0) resolve(m.devices);
        else if (m.type === 'devices')
          reject(new DeviceError('no audio input device found (PortAudio lists none: no sound card, or ALSA cannot open any capture PCM)'));
        else if (m.type === 'error') reject(errorFromJSON(m));
      });
      child.on('error', (e) => reject(new DeviceError(`cannot start the audio helper: ${e.message}`)));
      child.on('close', (code, signal) =>
        reject(new DeviceError(`the audio helper exited before answering (${signal ?? `code ${code}`})`)),
      );
      child.on('close', () => clearTimeout(timer));
    });
  } catch (e) {
    throw diag.explain(e as NwaveError);
  } finally {
    await terminate(child, 1000);
  }
}

/** A running microphone in a helper process. */
export class MicProcess {
  /** PortAudio input overflows reported so far. */
  overflows = 0;
  /** Called when an overflow is reported (audio was lost; capture continues). */
  onOverflow: (count: number) => void = () => {};
  /** Called once if the device fails after opening: stream error, helper crash, or watchdog. */
  onFailure: (err: NwaveError) => void = () => {};
  private consumer: ((samples: Int16Array | Float32Array) => void) | null = null;
  private pending: Buffer[] = [];
  private decoder: FrameDecoder;
  private lastAudioAt = 0;
  private watchdog?: NodeJS.Timeout;
  private stopping = false;
  /** How long a polite stop may take before SIGKILL; short once the device is known stalled. */
  private stopGraceMs = 3000;

  private constructor(
    readonly config: MicConfig,
    private readonly child: ChildProcess,
    private readonly diag: Diagnostics,
    private readonly watchdogS: number,
  ) {
    this.decoder = new FrameDecoder(config.format, config.channels);
  }

  /** Spawns the helper and resolves once the device is open (it then starts capturing). */
  static start(opts: MicProcessOptions): Promise<MicProcess> {
    const diag = new Diagnostics(opts.verbose ?? false);
    const { verbose: _v, openTimeoutS = 15, watchdogS = 5, ...options } = opts;
    const child = spawnHelper({ mode: 'capture', options }, diag);
    // Audio may arrive before the 'opened' message is handled (two pipes, no ordering): keep it.
    const early: Buffer[] = [];
    (child.stdio[3] as net.Socket).on('data', (b: Buffer) => (mic ? mic.audio(b) : early.push(b)));
    let mic: MicProcess | null = null;
    return new Promise<MicProcess>((resolve, reject) => {
      const fail = (err: NwaveError) => {
        clearTimeout(timer);
        if (mic) return mic.fail(err);
        reject(diag.explain(err));
        void terminate(child, 1000);
      };
      const timer = setTimeout(
        () => fail(new DeviceError(`PortAudio did not open the audio input within ${openTimeoutS} s (a device may be blocking)`)),
        openTimeoutS * 1000,
      );
      child.on('message', (m: WorkerMessage) => {
        if (m.type === 'opened') {
          clearTimeout(timer);
          mic = new MicProcess(m.config, child, diag, watchdogS);
          mic.pending = early;
          resolve(mic);
        } else if (m.type === 'overflow') {
          if (!mic) return;
          mic.overflows = m.count;
          mic.onOverflow(m.count);
        } else if (m.type === 'error') fail(errorFromJSON(m));
      });
      child.on('error', (e) => fail(new DeviceError(`cannot start the audio helper: ${e.message}`)));
      child.on('close', (code, signal) => {
        if (mic?.stopping) return;
        fail(new DeviceError(`the audio helper stopped unexpectedly (${signal ?? `exit code ${code}`}): the device failed`));
      });
    });
  }

  /** Starts delivering mono audio to `consumer` (including what arrived before) and arms the watchdog. */
  listen(consumer: (samples: Int16Array | Float32Array) => void): void {
    this.consumer = consumer;
    this.lastAudioAt = Date.now();
    for (const b of this.pending.splice(0)) this.audio(b);
    this.watchdog = setInterval(() => {
      if (Date.now() - this.lastAudioAt > this.watchdogS * 1000) {
        this.stopGraceMs = 300; // PortAudio's stop would block on the stalled device
        this.fail(
          new DeviceError(
            `no audio from "${this.config.device.name}" for ${this.watchdogS} s: the device stopped delivering (unplugged or stalled)`,
          ),
        );
      }
    }, 250);
  }

  /** Stops the helper (it frees the device); kills it if PortAudio does not let go within 3 s (0.3 s when stalled). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.consumer = null;
    clearInterval(this.watchdog);
    (this.child.stdio[3] as net.Socket).destroy();
    await terminate(this.child, this.stopGraceMs);
  }

  private audio(b: Buffer): void {
    if (!this.consumer) {
      if (!this.stopping) this.pending.push(b);
      return;
    }
    this.lastAudioAt = Date.now();
    const samples = this.decoder.decode(b);
    if (samples.length > 0) this.consumer(samples);
  }

  private fail(err: NwaveError): void {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.watchdog);
    this.onFailure(this.diag.explain(err));
  }
}

/**
 * Decodes a byte stream of interleaved frames into mono chunks for `KeywordSpotter.process`,
 * carrying partial frames across calls (pipes split buffers anywhere). Mono Int16 stays Int16
 * (exact); anything else becomes Float32 (channels averaged).
 */
export class FrameDecoder {
  private rest: Buffer = Buffer.alloc(0);
  private readonly bytesPerSample: number;

  constructor(
    readonly format: SampleFormat,
    readonly channels: number,
  ) {
    this.bytesPerSample = format === 'int16' ? 2 : 4;
  }

  /** Whole frames of `bytes` (plus what was left over), as mono samples. */
  decode(bytes: Buffer): Int16Array | Float32Array {
    const buf = this.rest.length > 0 ? Buffer.concat([this.rest, bytes]) : bytes;
    const frameBytes = this.bytesPerSample * this.channels;
    const frames = Math.floor(buf.length / frameBytes);
    this.rest = Buffer.from(buf.subarray(frames * frameBytes));
    const n = frames * this.channels;
    // Copy into a fresh aligned buffer: Node buffers may sit at odd offsets in a shared pool.
    const aligned = new Uint8Array(frames * frameBytes);
    aligned.set(buf.subarray(0, frames * frameBytes));
    const samples = this.format === 'int16' ? new Int16Array(aligned.buffer, 0, n) : new Float32Array(aligned.buffer, 0, n);
    // A misconfigured device can hand over NaN or huge floats; they must not reach the network.
    if (samples instanceof Float32Array)
      for (let i = 0; i < n; i++) if (!(Math.abs(samples[i]) <= 1)) samples[i] = samples[i] > 1 ? 1 : samples[i] < -1 ? -1 : 0;
    if (this.channels === 1) return samples;
    const scale = this.format === 'int16' ? 1 / 32768 : 1;
    const mono = new Float32Array(frames);
    for (let f = 0; f < frames; f++) {
      let s = 0;
      for (let c = 0; c < this.channels; c++) s += samples[f * this.channels + c];
      mono[f] = (s / this.channels) * scale;
    }
    return mono;
  }
}
