/**
 * Entry of the audio helper process that `nwave listen` and `nwave devices` spawn (see
 * mic-process.ts). PortAudio lives here, not in the CLI process, because:
 * - a stalled ALSA device blocks `Pa_StopStream` forever: only a separate process can always be
 *   killed, so the CLI never hangs;
 * - naudiodon printf()s to stdout, which would corrupt `--json`; here stdout goes to the parent.
 * Protocol: argv[2] is a JSON `WorkerRequest`; control messages go over the IPC channel; audio
 * (raw interleaved frames, format as in `opened`) goes over fd 3 with backpressure.
 */
import net from 'node:net';
import { DeviceError, NwaveError, errorToJSON, type ErrorRecord } from '@nwave/runtime';
import { MicSource, listInputDevices, loadNaudiodon, type InputDevice, type MicConfig, type MicOptions } from './mic-source.js';

/** What the parent asks the helper to do. */
export type WorkerRequest = { mode: 'list' } | { mode: 'capture'; options: MicOptions };

/** Messages from the helper to the parent. */
export type WorkerMessage =
  | { type: 'devices'; devices: InputDevice[] }
  | { type: 'opened'; config: MicConfig }
  | { type: 'overflow'; count: number }
  | ({ type: 'error' } & ErrorRecord);

/** Parent to helper. */
export type ParentMessage = { type: 'stop' };

/** Resolves once the message is handed to the channel, so that exiting right after cannot drop it. */
function send(m: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send!(m, undefined, {}, () => resolve());
  });
}

function errorMessage(e: unknown): WorkerMessage {
  const err =
    e instanceof NwaveError ? e : new DeviceError(`audio helper failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return { type: 'error', ...errorToJSON(err) };
}

async function capture(options: MicOptions): Promise<number> {
  const pa = await loadNaudiodon();
  const mic = await MicSource.open(options, pa);
  const audio = new net.Socket({ fd: 3, readable: false, writable: true });
  return new Promise<number>((resolve) => {
    let done = false;
    const finish = async (code: number, err?: unknown) => {
      if (done) return;
      done = true;
      if (err) await send(errorMessage(err));
      await mic.close();
      audio.destroy();
      resolve(code);
    };
    mic.onData = (frames) => {
      // The parent is slower than the device (a free-running virtual device, or a busy board):
      // stop pulling from PortAudio until the pipe drains; a real device then reports overflows.
      if (!audio.write(frames)) mic.pause();
    };
    audio.on('drain', () => mic.resume());
    audio.on('error', () => void finish(0)); // the parent went away
    mic.onOverflow = (count) => void send({ type: 'overflow', count });
    mic.onError = (err) => void finish(3, err);
    process.on('message', (m: ParentMessage) => m.type === 'stop' && void finish(0));
    process.on('disconnect', () => void finish(0));
    process.on('SIGTERM', () => void finish(0));
    void send({ type: 'opened', config: mic.config }).then(() => {
      try {
        mic.start();
      } catch (e) {
        void finish(3, e);
      }
    });
  });
}

async function run(): Promise<number> {
  // Ctrl-C in a terminal reaches the whole process group: the parent decides when we stop.
  process.on('SIGINT', () => {});
  let request: WorkerRequest;
  try {
    request = JSON.parse(process.argv[2] ?? '') as WorkerRequest;
  } catch {
    await send({ type: 'error', code: 'INVALID_ARGUMENT', message: 'audio helper: bad request' });
    return 2;
  }
  try {
    if (request.mode === 'list') {
      await send({ type: 'devices', devices: listInputDevices(await loadNaudiodon()) });
      return 0;
    }
    return await capture(request.options);
  } catch (e) {
    await send(errorMessage(e));
    return 3;
  }
}

// process.exit rather than draining the loop: a PortAudio thread stuck on a dead device must not
// keep this process alive (the parent would SIGKILL it anyway, but later).
process.exit(await run());
