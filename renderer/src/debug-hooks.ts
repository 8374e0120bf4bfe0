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

export interface NwaveDebug {
  detections: DebugDetection[];
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
}

declare global {
  interface Window {
    __nwaveDebug?: NwaveDebug;
  }
}

export function installDebugHooks(engine: EngineClient): NwaveDebug {
  const dbg: NwaveDebug = {
    detections: [],
    frameTimesMs: [],
    spikesDrawn: 0,
    stepsDrawn: 0,
    power: {},
    sampleRateHz: 0,
    tapEnvelope(seconds) {
      return new Promise((resolve) => {
        const off = engine.on((ev) => {
          if (ev.type !== 'debug-tap') return;
          off();
          const hop = Math.max(1, Math.round(ev.sampleRateHz / 1000));
          const envelope: number[] = [];
          for (let i = 0; i + hop <= ev.samples.length; i += hop) {
            let s = 0;
            for (let j = 0; j < hop; j++) s += ev.samples[i + j] ** 2;
            envelope.push(Math.sqrt(s / hop));
          }
          resolve({ envelope, sampleRateHz: ev.sampleRateHz, stepMs: (hop / ev.sampleRateHz) * 1000 });
        });
        engine.debugTap(seconds);
      });
    },
  };
  window.__nwaveDebug = dbg;
  return dbg;
}

/** Appends a frame time, keeping the last 2000. */
export function recordFrameTime(dbg: NwaveDebug, ms: number): void {
  dbg.frameTimesMs.push(ms);
  if (dbg.frameTimesMs.length > 2000) dbg.frameTimesMs.splice(0, dbg.frameTimesMs.length - 2000);
}
