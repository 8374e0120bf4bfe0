/**
 * `nwave listen` / `nwave devices` for real: naudiodon + PortAudio + alsa-lib, on a virtual ALSA
 * capture device (see alsa-test-device.ts) in a temporary HOME. Every run has a hard timeout.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, constants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWavFile } from '@nwave/runtime/node';
import { DEFAULT_MODEL, REPO_ROOT } from '../paths.js';
import { makeAlsaHome, rawPcm, runNwave, toneSequence, type RunResult } from './alsa-test-device.js';

const TONES = path.join(REPO_ROOT, 'test', 'fixtures', 'models', 'tones.nwave.json');
const YES_WAV = path.join(REPO_ROOT, 'test', '.fixtures', 'speech', 'yes.wav');
const TIMEOUT = 30_000;
let dir = '';

/** Why a run failed, with everything PortAudio/ALSA printed, for assertion messages. */
const explain = (r: RunResult) =>
  `exit ${r.code} signal ${r.signal}${r.timedOut ? ' (TIMED OUT, killed)' : ''}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
const detections = (r: RunResult) =>
  r.events.filter((e) => e.event === 'detection') as { label: string; startTime: number; endTime: number; confidence: number }[];

/** A HOME whose default capture device plays `samples` (then silence) in `format`. */
function home(name: string, samples: ArrayLike<number>, format: 'int16' | 'float32' = 'int16'): string {
  const raw = path.join(dir, `${name}.raw`);
  writeFileSync(raw, rawPcm(samples, format));
  return makeAlsaHome(path.join(dir, name), raw);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nwave-listen-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('nwave devices', () => {
  it('lists the virtual ALSA capture device, default marked', async () => {
    const r = await runNwave(['devices', '--json'], { home: home('devices', toneSequence(44100, [[0, 1]])), timeoutMs: TIMEOUT });
    // If this fails, PortAudio could not open any ALSA PCM here: the message carries ALSA's reason.
    expect(r.code, explain(r)).toBe(0);
    const devices = r.events as { id: number; name: string; isDefault: boolean; hostApi: string }[];
    expect(devices.map((d) => d.name)).toEqual(expect.arrayContaining(['cap', 'default']));
    expect(devices.find((d) => d.isDefault)?.name).toBe('default');
    expect(devices.every((d) => d.hostApi === 'ALSA')).toBe(true);
  });
});

describe('nwave listen (tones fixture model)', () => {
  it('detects a low then a high tone at the device default rate (44.1 kHz, Int16), in order and on time', async () => {
    const pcm = toneSequence(44100, [
      [0, 0.5],
      [400, 1],
      [0, 1.5],
      [4000, 1],
      [0, 1],
    ]);
    const r = await runNwave(['listen', '--model', TONES, '--json', '--duration', '5'], { home: home('tones', pcm), timeoutMs: TIMEOUT });
    expect(r.code, explain(r)).toBe(0);
    const start = r.events[0] as { event: string; sampleRateHz: number; format: string; device: { name: string } };
    expect(start).toMatchObject({ event: 'start', sampleRateHz: 44100, format: 'int16', device: { name: 'default' } });
    const d = detections(r);
    expect(
      d.map((e) => e.label),
      explain(r),
    ).toEqual(['low', 'high']);
    expect(d[0].startTime).toBeGreaterThanOrEqual(0.45);
    expect(d[0].endTime).toBeLessThan(1.6);
    expect(d[1].startTime).toBeGreaterThanOrEqual(2.95);
    expect(d[1].endTime).toBeLessThan(4.1);
    expect(r.events.some((e) => e.event === 'status')).toBe(true);
    expect(r.events.at(-1)).toMatchObject({ event: 'stop', reason: 'duration', streamTimeS: 5, detections: 2 });
    // --json is for pipes: nothing but JSON on stdout (naudiodon's printf()s stay in the helper).
    expect(
      r.stdout
        .trim()
        .split('\n')
        .every((l) => l.startsWith('{')),
    ).toBe(true);
  });

  it('reads Float32 at a requested rate from a device chosen by name, and stops at --max-events', async () => {
    const pcm = toneSequence(48000, [
      [0, 0.3],
      [400, 1],
      [0, 0.5],
      [400, 1],
    ]);
    const r = await runNwave(
      ['listen', '--model', TONES, '--json', '--device', 'cap', '--format', 'float32', '--rate', '48000', '--max-events', '1'],
      { home: home('float', pcm, 'float32'), timeoutMs: TIMEOUT },
    );
    expect(r.code, explain(r)).toBe(0);
    expect(r.events[0]).toMatchObject({ event: 'start', sampleRateHz: 48000, format: 'float32', device: { name: 'cap' } });
    expect(detections(r).map((e) => e.label)).toEqual(['low']);
    expect(r.events.at(-1)).toMatchObject({ event: 'stop', reason: 'max-events', detections: 1 });
  });

  it('gives the same detections as `nwave detect --stream` on the same audio (speech "yes", 16 kHz)', async () => {
    if (!existsSync(YES_WAV)) return expect.fail(`${YES_WAV} missing: the vitest global setup builds it with espeak-ng`);
    const wav = readWavFile(YES_WAV);
    const pcm = new Float64Array(wav.samples.length + wav.sampleRateHz);
    pcm.set(wav.samples);
    const seconds = String(pcm.length / wav.sampleRateHz);
    const live = await runNwave(['listen', '--model', TONES, '--json', '--rate', String(wav.sampleRateHz), '--duration', seconds], {
      home: home('same', pcm),
      timeoutMs: TIMEOUT,
    });
    expect(live.code, explain(live)).toBe(0);
    const file = await runNwave(['detect', TONES, YES_WAV, '--stream', '--json'], { home: dir, timeoutMs: TIMEOUT });
    expect(file.code, explain(file)).toBe(0);
    const strip = (e: { label: string; startTime: number; endTime: number; confidence: number }) => [
      e.label,
      e.startTime,
      e.endTime,
      e.confidence,
    ];
    const expected = (file.events[0].detections as Parameters<typeof strip>[0][]).map(strip);
    expect(expected.length).toBeGreaterThan(0);
    expect(detections(live).map(strip)).toEqual(expected);
  });

  it('prints plain lines (no ANSI) when stdout is not a terminal', async () => {
    const r = await runNwave(['listen', '--model', TONES, '--duration', '6'], {
      home: home(
        'plain',
        toneSequence(44100, [
          [0, 0.5],
          [400, 1],
          [0, 5],
        ]),
      ),
      timeoutMs: TIMEOUT,
    });
    expect(r.code, explain(r)).toBe(0);
    expect(r.stdout).toMatch(/^listening on "default" \(ALSA, id \d+\): 44100 Hz int16 mono/);
    expect(r.stdout).toMatch(/\d\d:\d\d:\d\d {2}low {2}\d+\.\d% {2}at 0\.\d+–\d\.\d+ s/);
    expect(r.stdout).toMatch(
      /\[ +5\.\d s\] level -\d+\.\d dBFS {2}rates frontend 0\.0 Hz, hidden 0\.0 Hz, output 0\.0 Hz {2}power .* \(estimate\)/,
    );
    expect(r.stdout).toMatch(/done \(--duration\) after 6\.0 s of audio: 1 detections \(low 1\), 0 overflows/);
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('applies --min-spikes / --label-threshold to the live detector (the default detects the tone, a strict minimum does not)', async () => {
    const pcm = toneSequence(44100, [
      [0, 0.5],
      [400, 1],
      [0, 2],
    ]);
    const h = home('overrides', pcm);
    const listen = (...flags: string[]) =>
      runNwave(['listen', '--model', TONES, '--json', '--duration', '3', ...flags], { home: h, timeoutMs: TIMEOUT });
    const base = await listen();
    expect(base.code, explain(base)).toBe(0);
    expect(detections(base).map((e) => e.label)).toEqual(['low']);
    expect(base.events[0]).toMatchObject({ event: 'start', detector: { minSpikes: 5, threshold: 0.8 } });
    // The tone is "low" at confidence 1 (no spike elsewhere): only the spike minimum can stop it.
    const strict = await listen('--min-spikes', '1000', '--label-threshold', 'low=0.95');
    expect(strict.code, explain(strict)).toBe(0);
    expect(detections(strict), explain(strict)).toEqual([]);
    expect(strict.events.at(-1)).toMatchObject({ event: 'stop', reason: 'duration', detections: 0 });
    expect(strict.events[0]).toMatchObject({ detector: { minSpikes: 1000, threshold: 0.8, labelThresholds: { low: 0.95 } } });
    const usage = await listen('--label-threshold', 'loud=0.5');
    expect(usage.code, explain(usage)).toBe(2);
    expect(usage.stderr).toContain('"loud": not a label of tones-fixture (labels: high, low, _background_)');
  });

  it('stops on SIGINT: exit 0, a summary, and the audio helper (which holds the device) is gone', async () => {
    let helpers: number[] = [];
    const r = await runNwave(['listen', '--model', TONES, '--json'], {
      home: home('sigint', toneSequence(44100, [[400, 1]])),
      timeoutMs: TIMEOUT,
      onStdoutLine: (line, pid) => {
        if (!line.includes('"event":"start"')) return;
        helpers = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
          .split('\n')
          .filter(Boolean)
          .map(Number);
        return 'SIGINT';
      },
    });
    expect(r.code, explain(r)).toBe(0);
    expect(r.events.at(-1)).toMatchObject({ event: 'stop', reason: 'signal' });
    expect(helpers.length).toBeGreaterThan(0);
    for (const pid of helpers) expect(() => process.kill(pid, 0), `helper ${pid} still running`).toThrow();
  });
});

describe('nwave listen: device problems exit 3 with a clear message, never hang', () => {
  it('no device: the capture PCM cannot open (missing infile), with ALSA reason', async () => {
    const bad = makeAlsaHome(path.join(dir, 'nodevice'), path.join(dir, 'missing.raw'));
    const r = await runNwave(['listen', '--model', TONES], { home: bad, timeoutMs: TIMEOUT });
    expect(r.code, explain(r)).toBe(3);
    expect(r.stderr).toContain('nwave listen: no audio input device found');
    expect(r.stderr).toMatch(/ALSA\/PortAudio said:\n.*missing\.raw for reading failed: No such file or directory/);
    const list = await runNwave(['devices'], { home: bad, timeoutMs: TIMEOUT });
    expect(list.code, explain(list)).toBe(3);
    expect(list.stderr).toContain('nwave devices: no audio input device found');
  });

  // Issue 14: a rate outside 4-384 kHz or an 11-day watchdog is refused before the device opens
  // (the test device accepts every rate in range, so PortAudio's own refusal is not reached here).
  it('a rate or watchdog out of range is a usage error (2) naming the flag, before any device opens', async () => {
    const h = home('rate', toneSequence(44100, [[0, 1]]));
    const rate = await runNwave(['listen', '--model', TONES, '--rate', '3000000'], { home: h, timeoutMs: TIMEOUT });
    expect(rate.code, explain(rate)).toBe(2);
    expect(rate.stderr).toContain('--rate must be a positive integer from 4000 up to 384000, got "3000000"');
    const dog = await runNwave(['listen', '--model', TONES, '--watchdog', '1000000'], { home: h, timeoutMs: TIMEOUT });
    expect(dog.code, explain(dog)).toBe(2);
    expect(dog.stderr).toContain('--watchdog must be a positive number up to 600, got "1000000"');
  });

  it('an unknown --device lists the devices; a bad option is a usage error (2)', async () => {
    const h = home('unknown', toneSequence(44100, [[0, 1]]));
    const r = await runNwave(['listen', '--model', TONES, '--device', 'usb mic'], { home: h, timeoutMs: TIMEOUT });
    expect(r.code, explain(r)).toBe(3);
    expect(r.stderr).toMatch(/no input device matches "usb mic"; input devices:\n {2}\d+: cap\n {2}\d+: default/);
    const usage = await runNwave(['listen', '--model', TONES, '--duration', '-1'], { home: h, timeoutMs: TIMEOUT });
    expect(usage.code, explain(usage)).toBe(2);
    expect(usage.stderr).toContain('--duration must be a positive number');
  });

  it('a device that stops delivering mid-stream (unplugged, stalled) trips the watchdog', async () => {
    // A FIFO as infile, held open read-write by this test: ALSA's opens never block and the pipe
    // never loses its writer; 64 KiB of tone (0.74 s) go through, then reads block for good.
    const fifo = path.join(dir, 'stall.fifo');
    execFileSync('mkfifo', [fifo]);
    const fd = openSync(fifo, constants.O_RDWR);
    try {
      writeSync(fd, rawPcm(toneSequence(44100, [[400, 65536 / 2 / 44100]]), 'int16'));
      const t0 = Date.now();
      const r = await runNwave(['listen', '--model', TONES, '--json', '--watchdog', '1.5'], {
        home: makeAlsaHome(path.join(dir, 'stall'), fifo),
        timeoutMs: TIMEOUT,
      });
      expect(r.code, explain(r)).toBe(3);
      expect(r.events[0]).toMatchObject({ event: 'start' });
      expect(r.events.find((e) => e.event === 'error')).toMatchObject({
        code: 'DEVICE',
        message: expect.stringContaining('no audio from "default" for 1.5 s'),
      });
      expect(r.events.at(-1)).toMatchObject({ event: 'stop', reason: 'error' });
      expect(r.stderr).toContain('the device stopped delivering (unplugged or stalled)');
      expect(Date.now() - t0).toBeLessThan(15_000);
    } finally {
      closeSync(fd);
    }
  });
});

describe('nwave listen (trained default model)', () => {
  it('prints a "yes" detection for the espeak-ng "yes" played through the virtual microphone', async (ctx) => {
    if (!existsSync(DEFAULT_MODEL)) ctx.skip(`${path.relative(REPO_ROOT, DEFAULT_MODEL)} does not exist yet (being trained)`);
    if (!existsSync(YES_WAV)) ctx.skip(`${YES_WAV} missing: the vitest global setup builds it with espeak-ng`);
    const wav = readWavFile(YES_WAV);
    const pcm = new Float64Array(wav.samples.length + wav.sampleRateHz);
    pcm.set(wav.samples);
    const rate = String(wav.sampleRateHz);
    const r = await runNwave(['listen', '--json', '--rate', rate, '--duration', String(pcm.length / wav.sampleRateHz)], {
      home: home('yes', pcm),
      timeoutMs: TIMEOUT,
    });
    expect(r.code, explain(r)).toBe(0);
    expect(
      detections(r).map((e) => e.label),
      explain(r),
    ).toContain('yes');
  });
});
