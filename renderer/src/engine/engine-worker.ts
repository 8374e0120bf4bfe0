/**
 * The engine worker: receives audio from the capture worklet over its own MessagePort (the UI
 * thread is not on the audio path) and runs EngineCore. Commands come from the UI thread.
 */
import type { AudioChunkMessage, EngineEvent, EngineRequest } from './engine-messages.js';
import { EngineCore } from './engine-core.js';

interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((ev: MessageEvent<EngineRequest>) => void) | null;
}
const scope = self as unknown as WorkerScope;
const wallClock = (): number => performance.timeOrigin + performance.now();

const core = new EngineCore({
  post: (event: EngineEvent, transfer: Transferable[] = []) => scope.postMessage(event, transfer),
  now: wallClock,
});
let audioPort: MessagePort | null = null;

scope.onmessage = (ev) => {
  const msg = ev.data;
  switch (msg.type) {
    case 'connect-audio':
      audioPort?.close();
      audioPort = msg.port;
      core.setSampleRate(msg.sampleRateHz);
      audioPort.onmessage = (e: MessageEvent<AudioChunkMessage>) => core.process(e.data.samples, wallClock());
      break;
    case 'set-model':
      core.setModel(msg.slot, msg.text, msg.source, msg.detector, msg.chip);
      break;
    case 'set-detector':
      core.setDetector(msg.slot, msg.overrides);
      break;
    case 'reset':
      core.reset();
      break;
    case 'record':
      core.record(msg.id, msg.durationS);
      break;
    case 'debug-tap':
      core.debugTap(msg.seconds);
      break;
  }
};
scope.postMessage({ type: 'ready' } satisfies EngineEvent);
