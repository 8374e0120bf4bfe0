/**
 * `nwave listen [--model FILE] [--device ID|NAME] [--json] ...`: keyword spotting on a live
 * microphone. The microphone runs in a helper process (listen/mic-process.ts); the runtime's
 * KeywordSpotter runs here on whatever rate and sample format the device gives.
 * Exit codes: 0 stopped normally (Ctrl-C, SIGTERM, --duration, --max-events, closed pipe),
 * 2 usage or model error (thrown to main), 3 device problem.
 */
import {
  DeviceError,
  InvalidArgumentError,
  KeywordSpotter,
  MAX_SAMPLE_RATE_HZ,
  MIN_SAMPLE_RATE_HZ,
  type KeywordEvent,
  type NwaveError,
  type NwaveModel,
} from '@nwave/runtime';
import { describeDetector } from '../detector-options.js';
import { checkNumber } from '../number-text.js';
import { pct } from '../format.js';
import { LiveStats, LiveView, watts, type ViewStatus } from '../listen/live-view.js';
import { MicProcess } from '../listen/mic-process.js';
import type { SampleFormat } from '../listen/mic-source.js';

/** Options as commander hands them over (numbers still strings). */
export interface ListenOptions {
  device?: string;
  json?: boolean;
  rate?: string;
  format?: string;
  duration?: string;
  maxEvents?: string;
  watchdog?: string;
  verbose?: boolean;
}

/**
 * Ranges of the numeric flags: a watchdog of 11 days or a rate of 1 GHz is a typo, refused at
 * once instead of a listener that never times out or a device that never opens.
 */
export const LISTEN_FLAG_RANGES = {
  rate: { min: MIN_SAMPLE_RATE_HZ, max: MAX_SAMPLE_RATE_HZ, integer: true },
  duration: { min: 0, max: 7 * 24 * 3600, integer: false },
  'max-events': { min: 0, max: 1_000_000, integer: true },
  watchdog: { min: 0, max: 600, integer: false },
} as const;

function positive(name: keyof typeof LISTEN_FLAG_RANGES, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const r = LISTEN_FLAG_RANGES[name];
  const n = checkNumber(v, { int: r.integer, min: r.min, exclusiveMin: r.min === 0, max: r.max });
  if (n === undefined)
    throw new InvalidArgumentError(
      `--${name} must be a positive ${r.integer ? 'integer' : 'number'} ${r.min > 0 ? `from ${r.min} ` : ''}up to ${r.max}, got "${v}"`,
      { field: name, value: v },
    );
  return n;
}

function parseFormat(v: string | undefined): SampleFormat | undefined {
  if (v === undefined) return undefined;
  if (v === 'int16' || v === 'float32') return v;
  throw new InvalidArgumentError(`--format must be int16 or float32, got "${v}"`, { field: 'format', value: v });
}

const clock = (d: Date) => d.toTimeString().slice(0, 8);

/** Streams the microphone through the model until stopped; resolves to the exit code. */
export async function runListen(model: NwaveModel, modelFile: string, opts: ListenOptions): Promise<number> {
  const sampleRateHz = positive('rate', opts.rate);
  const format = parseFormat(opts.format);
  const durationS = positive('duration', opts.duration);
  const maxEvents = positive('max-events', opts.maxEvents);
  const watchdogS = positive('watchdog', opts.watchdog) ?? 5;
  const json = opts.json === true;
  let stdoutOpen = true;
  const emit = (event: Record<string, unknown>) => {
    if (stdoutOpen) process.stdout.write(`${JSON.stringify({ event: event.event, time: new Date().toISOString(), ...event })}\n`);
  };
  const reportError = (err: NwaveError) => {
    if (json) emit({ event: 'error', code: err.code, message: err.message });
    console.error(`nwave listen: ${err.message}`);
  };

  let mic: MicProcess;
  try {
    mic = await MicProcess.start({ device: opts.device, sampleRateHz, format, watchdogS, verbose: opts.verbose });
  } catch (e) {
    if (!(e instanceof DeviceError)) throw e; // usage errors (an ambiguous --device) exit 2 in main
    reportError(e);
    return 3;
  }

  const { device, channels } = mic.config;
  const rate = mic.config.sampleRateHz;
  const stats = new LiveStats({ labels: model.labels, layers: model.powerLayers, dtS: model.dtS });
  const view = json ? null : new LiveView(stats, process.stdout.isTTY === true);
  const spotter = new KeywordSpotter(model, { inputSampleRateHz: rate, onStep: (v) => stats.step(v) });
  const counts = new Map<string, number>();
  let detections = 0;
  let samplesIn = 0;
  let nextStatusS = 1;
  const status = (): ViewStatus => ({ timeS: samplesIn / rate, powerW: spotter.power().totalW, detections, overflows: mic.overflows });

  const channelsText = channels === 1 ? 'mono' : `${channels} channels, downmixed`;
  if (json) {
    emit({
      event: 'start',
      device: { id: device.id, name: device.name, hostApi: device.hostApi },
      sampleRateHz: rate,
      format: mic.config.format,
      channels,
      model: modelFile,
      labels: model.labels,
      detector: model.checkpoint.detector,
    });
  } else {
    console.log(
      `listening on "${device.name}" (${device.hostApi}, id ${device.id}): ${rate} Hz ${mic.config.format} ${channelsText}; model ${modelFile} [${model.labels.join(', ')}], detector ${describeDetector(model.checkpoint.detector)}; Ctrl-C to stop`,
    );
  }

  const detection = (e: KeywordEvent) => {
    detections++;
    counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
    if (json) {
      emit({
        event: 'detection',
        label: e.label,
        confidence: e.confidence,
        startTime: e.startTime,
        endTime: e.endTime,
        spikeCounts: e.spikeCounts,
        powerW: spotter.power().totalW,
        estimate: true,
      });
    } else {
      const line = `${clock(new Date())}  ${e.label}  ${pct(e.confidence)}  at ${e.startTime.toFixed(3)}–${e.endTime.toFixed(3)} s  spikes [${e.spikeCounts.join(', ')}]`;
      view!.print(line, status());
    }
  };

  return new Promise<number>((resolve) => {
    let finished = false;
    const finish = async (reason: string, code: number, err?: NwaveError) => {
      if (finished) return;
      finished = true;
      view?.close();
      if (err) reportError(err); // before stopping: freeing a dead device can take a moment
      await mic.stop(); // frees the device (kills the helper if PortAudio hangs)
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const s = status();
      if (json) {
        emit({ event: 'stop', reason, streamTimeS: s.timeS, detections, counts: Object.fromEntries(counts), overflows: mic.overflows });
      } else if (stdoutOpen) {
        const byLabel = [...counts].map(([l, n]) => `${l} ${n}`).join(', ');
        const why =
          {
            signal: 'stopped',
            duration: 'done (--duration)',
            'max-events': 'done (--max-events)',
            error: 'failed',
            closed: 'output closed',
          }[reason] ?? reason;
        console.log(
          `${why} after ${s.timeS.toFixed(1)} s of audio: ${detections} detections${byLabel ? ` (${byLabel})` : ''}, ${mic.overflows} overflows, last power ${watts(s.powerW)} (estimate)`,
        );
      }
      spotter.release();
      resolve(code);
    };
    const onSignal = () => void finish('signal', 0);
    // `nwave listen --json | head -1`: the reader left, which is a normal way to stop. The
    // listener stays: late writes would otherwise raise an unhandled EPIPE.
    const onStdoutError = () => {
      stdoutOpen = false;
      void finish('closed', 0);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.stdout.on('error', onStdoutError);

    mic.onFailure = (err) => void finish('error', 3, err);
    mic.onOverflow = (count) => {
      if (count !== 1) return; // warn once; the total is in the summary
      const message = 'input overflow: audio was lost because this machine did not keep up; continuing (overflows are counted)';
      if (json) emit({ event: 'warning', code: 'OVERFLOW', message, count });
      else view!.print(`warning: ${message}`, status());
    };

    mic.listen((samples) => {
      if (finished) return;
      // --duration counts audio, not wall time: the same on a live microphone, and exact on a
      // virtual device that delivers faster than real time.
      let chunk = samples;
      if (durationS !== undefined) chunk = chunk.subarray(0, Math.max(0, Math.round(durationS * rate) - samplesIn));
      stats.audio(chunk, rate);
      const events = spotter.process(chunk);
      samplesIn += chunk.length;
      for (const e of events) {
        detection(e);
        if (maxEvents !== undefined && detections >= maxEvents) return void finish('max-events', 0);
      }
      if (view) view.update(status());
      else if (samplesIn / rate >= nextStatusS) {
        nextStatusS = Math.floor(samplesIn / rate) + 1;
        emit({
          event: 'status',
          streamTimeS: samplesIn / rate,
          levelDbfs: stats.levelDbfs,
          ratesHz: stats.ratesHz(),
          powerW: spotter.power().totalW,
          estimate: true,
        });
      }
      if (durationS !== undefined && samplesIn >= Math.round(durationS * rate)) void finish('duration', 0);
    });
  });
}
