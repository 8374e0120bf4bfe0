/**
 * `window.__nwaveDebug`: read-only measurements for the end-to-end tests and for curious users
 * (detections with their timing, frame times, spikes drawn, power), plus a tap of the first
 * seconds of input to align the stream with a known WAV.
 */
import type { EngineClient } from './engine/engine-client.js';
import type { ModelSlot, PowerSnapshot } from './engine/engine-messages.js';

export interface DebugDetection {
  slot: ModelSlot;
  label: string;
  confidence: number;
  startTimeS: number;
  endTimeS: number;
  chunkEndS: number;
  arrivedAtMs: number;
  postedAtMs: number;
  receivedAtMs: number;
}

/** A change of detector settings, as the engine confirmed it. */
export interface DebugDetectorUpdate {
  slot: ModelSlot;
  threshold: number;
  overridden: boolean;
  /** First step / stream time decided with the new settings. */
  fromStep: number;
  fromS: number;
  /** Wall clock (ms since epoch) of the latest request sent to the engine, and of this confirmation. */
  requestedAtMs: number;
  receivedAtMs: number;
}

export interface NwaveDebug {
  detections: DebugDetection[];
  detectorUpdates: DebugDetectorUpdate[];
  /** Wall clock of the latest detector change sent to the engine (0 = none). */
  detectorRequestedAtMs: number;
  /** Time spent rendering each animation frame (all canvases and meters), ms; last 2000 frames. */
  frameTimesMs: number[];
  /** Spike cells drawn into the rasters so far. */
  spikesDrawn: number;
  /** Steps drawn so far. */
  stepsDrawn: number;
  power: Partial<Record<ModelSlot, PowerSnapshot>>;
  sampleRateHz: number;
  /** Keeps the first `seconds` of input after the next stream start; resolves with its 1 ms RMS envelope. */
  tapEnvelope(seconds: number): Promise<{ envelope: number[]; sampleRateHz: number; stepMs: number }>;
  /** Keeps the first `seconds` of input after the next stream start; resolves with the samples (what the models heard). */
  tapSamples(seconds: number): Promise<{ samples: Float32Array; sampleRateHz: number }>;
}

declare global {
  interface Window {
    __nwaveDebug?: NwaveDebug;
  }
}

export function installDebugHooks(engine: EngineClient): NwaveDebug {
  const tap = (seconds: number): Promise<{ samples: Float32Array; sampleRateHz: number }> =>
    new Promise((resolve) => {
      const off = engine.on((ev) => {
        if (ev.type !== 'debug-tap') return;
        off();
        resolve({ samples: ev.samples, sampleRateHz: ev.sampleRateHz });
      });
      engine.debugTap(seconds);
    });
  const dbg: NwaveDebug = {
    detections: [],
    detectorUpdates: [],
    detectorRequestedAtMs: 0,
    frameTimesMs: [],
    spikesDrawn: 0,
    stepsDrawn: 0,
    power: {},
    sampleRateHz: 0,
    async tapEnvelope(seconds) {
      const { samples, sampleRateHz } = await tap(seconds);
      const hop = Math.max(1, Math.round(sampleRateHz / 1000));
      const envelope: number[] = [];
      for (let i = 0; i + hop <= samples.length; i += hop) {
        let s = 0;
        for (let j = 0; j < hop; j++) s += samples[i + j] ** 2;
        envelope.push(Math.sqrt(s / hop));
      }
      return { envelope, sampleRateHz, stepMs: (hop / sampleRateHz) * 1000 };
    },
    tapSamples: tap,
  };
  window.__nwaveDebug = dbg;
  return dbg;
}

/** Appends a frame time, keeping the last 2000. */
export function recordFrameTime(dbg: NwaveDebug, ms: number): void {
  dbg.frameTimesMs.push(ms);
  if (dbg.frameTimesMs.length > 2000) dbg.frameTimesMs.splice(0, dbg.frameTimesMs.length - 2000);
}
