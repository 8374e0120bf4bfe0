/** MicSource against a fake PortAudio: device choice, fallbacks, error messages, overflow recovery. */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeviceError, InvalidArgumentError } from '@nwave/runtime';
import { FrameDecoder } from './mic-process.js';
import { MicSource, findDevice, listInputDevices, type InputDevice, type NaudiodonLike } from './mic-source.js';

class FakeStream extends EventEmitter {
  started = false;
  quits = 0;
  answerQuit = true;
  start(): void {
    this.started = true;
  }
  quit(cb?: () => void): void {
    this.quits++;
    if (this.answerQuit) cb?.();
  }
  pause(): void {}
  resume(): void {}
}

/** `reject(options)` returns a naudiodon-style error message to throw, or null to open. */
function fakePa(reject: (o: Record<string, unknown>) => string | null = () => null, maxInputChannels = 2) {
  const calls: Record<string, unknown>[] = [];
  const streams: FakeStream[] = [];
  const pa: NaudiodonLike = {
    getDevices: () => [
      { id: 0, name: 'HDMI out', maxInputChannels: 0, defaultSampleRate: 48000, hostAPIName: 'ALSA' },
      { id: 1, name: 'USB PnP Sound Device: Audio (hw:1,0)', maxInputChannels, defaultSampleRate: 44100, hostAPIName: 'ALSA' },
      { id: 2, name: 'default', maxInputChannels: 32, defaultSampleRate: 44100, hostAPIName: 'ALSA' },
    ],
    getHostAPIs: () => ({ defaultHostAPI: 0, HostAPIs: [{ defaultInput: 2 }] }),
    AudioIO: ({ inOptions }) => {
      calls.push(inOptions);
      const err = reject(inOptions);
      if (err) throw new Error(err);
      const s = new FakeStream();
      streams.push(s);
      return s;
    },
  };
  return { pa, calls, streams };
}

const dev = (id: number, name: string, isDefault = false): InputDevice => ({
  id,
  name,
  hostApi: 'ALSA',
  maxInputChannels: 1,
  defaultSampleRateHz: 48000,
  isDefault,
});

afterEach(() => void vi.useRealTimers());

describe('findDevice', () => {
  const devices = [dev(1, 'USB Mic (hw:1,0)'), dev(2, 'default', true), dev(3, 'USB Mic monitor')];
  it('takes the default input, an id, an exact name, or a unique substring', () => {
    expect(findDevice(devices).id).toBe(2);
    expect(findDevice(devices, '3').id).toBe(3);
    expect(findDevice(devices, 'DEFAULT').id).toBe(2);
    expect(findDevice(devices, 'hw:1').id).toBe(1);
    expect(findDevice([dev(5, 'a'), dev(6, 'b')]).id).toBe(5); // no default named: the first input
  });
  it('says what exists when nothing matches, and refuses to guess between several', () => {
    expect(() => findDevice([])).toThrow(DeviceError);
    expect(() => findDevice(devices, '9')).toThrow(/no input device with id 9; input devices:\n {2}1: USB Mic \(hw:1,0\)/);
    expect(() => findDevice(devices, 'bluetooth')).toThrow(DeviceError);
    expect(() => findDevice(devices, 'usb mic')).toThrow(InvalidArgumentError);
  });
  it('lists only devices with inputs and marks the host API default', () => {
    const list = listInputDevices(fakePa().pa);
    expect(list.map((d) => [d.id, d.isDefault])).toEqual([
      [1, false],
      [2, true],
    ]);
  });
});

describe('MicSource.open', () => {
  it('opens the default input at its default rate, Int16 mono, closeOnError', async () => {
    const { pa, calls } = fakePa();
    const mic = await MicSource.open({}, pa);
    expect(mic.config).toMatchObject({ sampleRateHz: 44100, format: 'int16', channels: 1, device: { name: 'default' } });
    expect(calls).toEqual([{ deviceId: 2, sampleRate: 44100, sampleFormat: 16, channelCount: 1, closeOnError: true }]);
  });
  it('falls back through rates, then formats, then channel counts', async () => {
    const onlyFloatStereo16k = (o: Record<string, unknown>) =>
      o.channelCount === 1
        ? 'Format not supported: Invalid number of channels'
        : o.sampleFormat === 16
          ? 'Format not supported: Sample format not supported'
          : o.sampleRate !== 16000
            ? 'Format not supported: Invalid sample rate'
            : null;
    const { pa } = fakePa(onlyFloatStereo16k);
    const mic = await MicSource.open({ device: 'usb' }, pa);
    expect(mic.config).toMatchObject({ sampleRateHz: 16000, format: 'float32', channels: 2, device: { id: 1 } });
  });
  it('an unsupported requested rate says so and names the default', async () => {
    const { pa } = fakePa((o) => (o.sampleRate === 16000 ? null : 'Format not supported: Invalid sample rate'));
    await expect(MicSource.open({ sampleRateHz: 44100 }, pa)).rejects.toThrow(
      /"default" \(id 2\) does not support 44100 Hz .* its default is 44100 Hz/,
    );
  });
  it('a busy device is fatal at once, with a hint', async () => {
    const { pa, calls } = fakePa(() => 'Could not open stream: Device unavailable');
    await expect(MicSource.open({}, pa)).rejects.toThrow(/busy or gone .*\[PortAudio: Could not open stream: Device unavailable\]/);
    expect(calls).toHaveLength(1);
  });
});

describe('MicSource streaming', () => {
  it('counts an overflow, reopens the same configuration and keeps delivering', async () => {
    const { pa, calls, streams } = fakePa();
    const mic = await MicSource.open({}, pa);
    const got: number[] = [];
    const overflows: number[] = [];
    mic.onData = (b) => got.push(b.length);
    mic.onOverflow = (n) => overflows.push(n);
    mic.onError = (e) => expect.fail(e.message);
    mic.start();
    streams[0].emit('data', Buffer.alloc(8));
    streams[0].emit('error', 'portAudio status - input overflow ');
    await vi.waitFor(() => expect(streams).toHaveLength(2));
    expect(streams[1].started).toBe(true);
    expect(streams[0].quits).toBe(1);
    streams[1].emit('data', Buffer.alloc(6));
    expect(got).toEqual([8, 6]);
    expect(overflows).toEqual([1]);
    expect(calls[1]).toEqual(calls[0]);
  });
  it('any other stream error is a DeviceError; close returns even if PortAudio never does', async () => {
    const { pa, streams } = fakePa();
    const mic = await MicSource.open({}, pa);
    const errors: DeviceError[] = [];
    mic.onError = (e) => errors.push(e);
    streams[0].emit('error', new Error('Async read failed to complete'));
    expect(errors[0]).toBeInstanceOf(DeviceError);
    expect(errors[0].message).toContain('[PortAudio: Async read failed to complete]');
    vi.useFakeTimers();
    streams[0].answerQuit = false;
    const closed = mic.close();
    await vi.advanceTimersByTimeAsync(2000);
    await expect(closed).resolves.toBeUndefined();
  });
});

describe('FrameDecoder', () => {
  it('reassembles Int16 frames split anywhere, unchanged', () => {
    const src = Int16Array.from({ length: 101 }, (_, i) => i * 300 - 15000);
    const bytes = Buffer.from(src.buffer);
    const d = new FrameDecoder('int16', 1);
    const out: number[] = [];
    for (const cut of [
      [0, 3],
      [3, 4],
      [4, 77],
      [77, 202],
    ])
      out.push(...d.decode(bytes.subarray(cut[0], cut[1])));
    expect(out).toEqual([...src]);
  });
  it('averages channels to float mono and keeps garbage floats out', () => {
    const stereo = new FrameDecoder('int16', 2).decode(Buffer.from(Int16Array.from([16384, 0, -32768, -32768]).buffer));
    expect([...stereo]).toEqual([0.25, -1]);
    const floats = new FrameDecoder('float32', 1).decode(Buffer.from(Float32Array.from([0.5, NaN, 3e38, -7]).buffer));
    expect([...floats]).toEqual([0.5, 0, 1, -1]);
  });
});
