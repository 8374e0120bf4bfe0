/**
 * Microphone adapter over naudiodon (PortAudio): device lookup, opening with fallbacks for rate,
 * sample format and channel count, PortAudio errors turned into `DeviceError`, input overflows
 * counted and recovered from. naudiodon is imported lazily so that `nwave detect/info` (and the
 * runtime) never load the native addon. The CLI runs this inside a helper process (mic-worker.ts);
 * an Electron main process may use it directly.
 */
import { DeviceError, InvalidArgumentError } from '@nwave/runtime';

/** PCM sample encodings read from the device. */
export type SampleFormat = 'int16' | 'float32';

/** An input device as PortAudio reports it. */
export interface InputDevice {
  id: number;
  name: string;
  hostApi: string;
  maxInputChannels: number;
  defaultSampleRateHz: number;
  isDefault: boolean;
}

/** What the caller asks for; anything left out is chosen from what the device offers. */
export interface MicOptions {
  /** Device id (digits) or a case-insensitive substring of its name. Default: the default input. */
  device?: string;
  sampleRateHz?: number;
  format?: SampleFormat;
}

/** The configuration that was actually opened. */
export interface MicConfig {
  device: InputDevice;
  sampleRateHz: number;
  format: SampleFormat;
  channels: number;
}

/** The slice of naudiodon this adapter uses (injectable so tests can fake PortAudio). */
export interface NaudiodonLike {
  getDevices(): { id: number; name: string; maxInputChannels: number; defaultSampleRate: number; hostAPIName: string }[];
  getHostAPIs(): { defaultHostAPI: number; HostAPIs: { defaultInput: number }[] };
  AudioIO(options: { inOptions: Record<string, unknown> }): PortAudioStream;
}

/** naudiodon's input stream: a Readable plus start/quit. */
export interface PortAudioStream extends NodeJS.EventEmitter {
  start(): void;
  quit(cb?: () => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

const FORMAT_CODE: Record<SampleFormat, number> = { int16: 16, float32: 1 };
const COMMON_RATES = [48000, 44100, 32000, 22050, 16000, 96000, 8000];
/** PortAudio's stop can block forever on a stalled device (seen with ALSA): never wait longer. */
const QUIT_TIMEOUT_MS = 2000;

/** Loads naudiodon on first use; a failure to load the addon is a device problem, not a crash. */
export async function loadNaudiodon(): Promise<NaudiodonLike> {
  try {
    const mod = (await import('naudiodon')) as unknown as { default?: NaudiodonLike } & NaudiodonLike;
    return mod.default ?? mod;
  } catch (e) {
    throw new DeviceError(`cannot load naudiodon (PortAudio): ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Input-capable devices, with the PortAudio default input marked. */
export function listInputDevices(pa: NaudiodonLike): InputDevice[] {
  const apis = pa.getHostAPIs();
  const defaultId = apis.HostAPIs[apis.defaultHostAPI]?.defaultInput ?? -1;
  return pa
    .getDevices()
    .filter((d) => d.maxInputChannels > 0)
    .map((d) => ({
      id: d.id,
      name: d.name,
      hostApi: d.hostAPIName,
      maxInputChannels: d.maxInputChannels,
      defaultSampleRateHz: d.defaultSampleRate,
      isDefault: d.id === defaultId,
    }));
}

/**
 * Picks a device: by id when `query` is digits, else by exact then substring name match;
 * without a query the default input (or the only/first input when PortAudio names no default).
 */
export function findDevice(devices: readonly InputDevice[], query?: string): InputDevice {
  if (devices.length === 0)
    throw new DeviceError('no audio input device found (PortAudio lists none: no sound card, or ALSA cannot open any capture PCM)');
  if (query === undefined || query === '') return devices.find((d) => d.isDefault) ?? devices[0];
  const names = devices.map((d) => `  ${d.id}: ${d.name}`).join('\n');
  if (/^\d+$/.test(query)) {
    const byId = devices.find((d) => d.id === Number(query));
    if (!byId) throw new DeviceError(`no input device with id ${query}; input devices:\n${names}`, { value: query });
    return byId;
  }
  const q = query.toLowerCase();
  const exact = devices.filter((d) => d.name.toLowerCase() === q);
  const matches = exact.length > 0 ? exact : devices.filter((d) => d.name.toLowerCase().includes(q));
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) throw new DeviceError(`no input device matches "${query}"; input devices:\n${names}`, { value: query });
  throw new InvalidArgumentError(
    `"${query}" matches ${matches.length} input devices; use the id:\n${matches.map((d) => `  ${d.id}: ${d.name}`).join('\n')}`,
    { value: query },
  );
}

/** Why one attempt failed: decides whether another rate/format/channel count is worth trying. */
function classify(message: string): 'rate' | 'format' | 'channels' | 'fatal' {
  if (/sample rate/i.test(message)) return 'rate';
  if (/sample format/i.test(message)) return 'format';
  if (/channel/i.test(message)) return 'channels';
  return 'fatal';
}

/** Turns a PortAudio/naudiodon error into a DeviceError that says what to do. */
export function toDeviceError(err: unknown, device?: InputDevice): DeviceError {
  const raw = err instanceof Error ? err.message : String(err);
  const on = device ? ` on "${device.name}" (id ${device.id})` : '';
  let hint = '';
  if (/No default device|Invalid device/i.test(raw)) hint = ': no usable input device (see `nwave devices`)';
  else if (/unavailable|busy/i.test(raw)) hint = ': the device is busy or gone (another program may hold it)';
  return new DeviceError(`audio input error${on}${hint} [PortAudio: ${raw.trim()}]`, { device: device?.name, portAudio: raw.trim() });
}

/** An open microphone stream. Audio arrives through `onData` as raw interleaved frames. */
export class MicSource {
  /** PortAudio input overflows so far (audio lost; the stream was reopened each time). */
  overflows = 0;
  onData: (frames: Buffer) => void = () => {};
  onOverflow: (count: number) => void = () => {};
  onError: (err: DeviceError) => void = () => {};
  private stream: PortAudioStream | null = null;
  private closed = false;

  private constructor(
    private readonly pa: NaudiodonLike,
    readonly config: MicConfig,
  ) {}

  /** Opens the device, trying the requested or default rate first, then common rates; Int16 before Float32; mono before stereo. */
  static async open(opts: MicOptions, pa?: NaudiodonLike): Promise<MicSource> {
    const api = pa ?? (await loadNaudiodon());
    const device = findDevice(listInputDevices(api), opts.device);
    const rates = opts.sampleRateHz
      ? [opts.sampleRateHz]
      : [...new Set([device.defaultSampleRateHz, ...COMMON_RATES].filter((r) => r > 0).map(Math.round))];
    const formats: SampleFormat[] = opts.format ? [opts.format] : ['int16', 'float32'];
    const channelCounts = [...new Set([1, Math.min(2, device.maxInputChannels)])];
    const failures = new Map<string, string>();
    channelLoop: for (const channels of channelCounts) {
      formatLoop: for (const format of formats) {
        for (const sampleRateHz of rates) {
          const mic = new MicSource(api, { device, sampleRateHz, format, channels });
          try {
            mic.stream = mic.create();
            return mic;
          } catch (e) {
            const message = e instanceof Error ? e.message : String(e);
            const kind = classify(message);
            if (kind === 'fatal') throw toDeviceError(e, device);
            failures.set(kind, message);
            // A format or channel count that PortAudio refuses fails at every rate: skip ahead.
            if (kind === 'format') continue formatLoop;
            if (kind === 'channels') continue channelLoop;
          }
        }
      }
    }
    if (opts.sampleRateHz && failures.has('rate')) {
      throw new DeviceError(
        `"${device.name}" (id ${device.id}) does not support ${opts.sampleRateHz} Hz [PortAudio: ${failures.get('rate')}]; its default is ${device.defaultSampleRateHz} Hz: omit --rate to let nwave choose`,
        { device: device.name, value: opts.sampleRateHz },
      );
    }
    const tried = `rates ${rates.join('/')} Hz, formats ${formats.join('/')}, ${channelCounts.join('/')} channel(s)`;
    throw new DeviceError(
      `"${device.name}" (id ${device.id}) offers no usable input format (tried ${tried}) [PortAudio: ${[...failures.values()].join('; ')}]`,
      { device: device.name },
    );
  }

  /** Starts capturing. */
  start(): void {
    try {
      this.stream?.start();
    } catch (e) {
      throw toDeviceError(e, this.config.device);
    }
  }

  /** Backpressure: stop pulling from PortAudio until `resume`. */
  pause(): void {
    this.stream?.pause();
  }

  resume(): void {
    this.stream?.resume();
  }

  /** Stops the stream and frees the device; resolves within QUIT_TIMEOUT_MS even if PortAudio blocks. */
  async close(): Promise<void> {
    this.closed = true;
    await quitWithTimeout(this.stream);
    this.stream = null;
  }

  private create(): PortAudioStream {
    const { device, sampleRateHz, format, channels } = this.config;
    // closeOnError: naudiodon otherwise printf()s PortAudio status to stdout and we never see it.
    const stream = this.pa.AudioIO({
      inOptions: {
        deviceId: device.id,
        sampleRate: sampleRateHz,
        sampleFormat: FORMAT_CODE[format],
        channelCount: channels,
        closeOnError: true,
      },
    });
    stream.on('data', (b: Buffer) => this.onData(b));
    stream.on('error', (e: unknown) => void this.handleError(stream, e));
    return stream;
  }

  /** Overflows lose audio but the device is fine: reopen and keep going. Anything else is fatal. */
  private async handleError(stream: PortAudioStream, e: unknown): Promise<void> {
    if (this.closed || stream !== this.stream) return;
    const message = e instanceof Error ? e.message : String(e);
    if (!/overflow|underflow/i.test(message)) return this.onError(toDeviceError(e, this.config.device));
    this.overflows++;
    this.onOverflow(this.overflows);
    this.stream = null;
    await quitWithTimeout(stream);
    if (this.closed) return;
    try {
      this.stream = this.create();
      this.stream.start();
    } catch (err) {
      this.onError(toDeviceError(err, this.config.device));
    }
  }
}

function quitWithTimeout(stream: PortAudioStream | null): Promise<void> {
  if (!stream) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, QUIT_TIMEOUT_MS);
    timer.unref();
    try {
      stream.quit(() => (clearTimeout(timer), resolve()));
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}
