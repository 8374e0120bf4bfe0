import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrainingEvent, TrainingRunRecord } from '../shared/ipc-contract.js';
import { FAKE_WARNING } from './test-fixtures/fake-trainer.js';
import { defaultModelName, TrainingBridge } from './training-bridge.js';

const WORKER = new URL('./training-worker.ts', import.meta.url);
const FAKE = new URL('./test-fixtures/fake-trainer.ts', import.meta.url).href;

describe('TrainingBridge (worker thread, fake trainer)', () => {
  let dir: string;
  let events: TrainingEvent[];
  let bridge: TrainingBridge;
  const make = (trainerModule = FAKE): TrainingBridge =>
    new TrainingBridge({
      runsDir: path.join(dir, 'runs'),
      modelsDir: dir,
      workerUrl: WORKER,
      viaTsx: true,
      trainerModule,
      emit: (e) => events.push(e),
    });
  const ended = (): Promise<TrainingEvent> =>
    new Promise((resolve) => {
      const poll = setInterval(() => {
        const e = events.find((x) => x.type === 'done' || x.type === 'failed' || x.type === 'cancelled');
        if (e) {
          clearInterval(poll);
          resolve(e);
        }
      }, 10);
    });
  const firstEpoch = async (): Promise<void> => {
    while (!events.some((e) => e.type === 'epoch')) await new Promise((r) => setTimeout(r, 10));
  };
  const record = (runId: string): TrainingRunRecord =>
    JSON.parse(readFileSync(path.join(dir, 'runs', `${runId}.json`), 'utf8')) as TrainingRunRecord;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nwave-bridge-'));
    events = [];
    bridge = make();
  });
  afterEach(async () => {
    await bridge.shutdown(500);
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams epochs, finishes, and persists the run with its curves', async () => {
    const { runId, out } = await bridge.start({ data: dir, words: ['yes', 'no'], background: true, epochs: 3 });
    expect(path.dirname(out)).toBe(dir);
    expect(out).toMatch(/yes-no-\d{8}-\d{6}\.nwave\.json$/);
    const end = await ended();
    expect(end).toEqual({ type: 'done', runId, out, valAccuracy: 0.9 });
    expect(events[0]).toEqual({ type: 'started', runId, out });
    expect(events.filter((e) => e.type === 'stage').map((e) => (e as { stage: string }).stage)).toEqual([
      'features',
      'features',
      'training',
    ]);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ data: dir, words: ['yes', 'no'], background: true, epochs: 3, out });
    expect(events.filter((e) => e.type === 'epoch').map((e) => (e as { row: { epoch: number } }).row.epoch)).toEqual([1, 2, 3]);
    expect(existsSync(out)).toBe(true);
    const rec = record(runId);
    expect(rec.status).toBe('done');
    expect(rec.rows).toHaveLength(3);
    expect(rec.valAccuracy).toBe(0.9);
    expect((await bridge.list()).map((r) => r.runId)).toEqual([runId]);
  });

  it('passes the chip and the recipe to the trainer (recipe by name, chip as its one setting) and keeps them in the record', async () => {
    const { runId, out } = await bridge.start({ data: dir, words: ['yes'], background: true, epochs: 2, chip: 'h1v2', recipe: 'sdk' });
    expect((await ended()).type).toBe('done');
    // The fake trainer wrote the options runTraining received.
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({
      data: dir,
      words: ['yes'],
      background: true,
      epochs: 2,
      out,
      recipe: 'sdk',
      config: { chip: 'h1v2' },
    });
    expect(record(runId).request).toEqual({ data: dir, words: ['yes'], background: true, epochs: 2, out, chip: 'h1v2', recipe: 'sdk' });
  });

  it("carries the trainer's warnings about the saved model to the event and the record", async () => {
    const { runId, out } = await bridge.start({ data: dir, words: ['warn', 'no'], background: true, epochs: 2 });
    const end = await ended();
    expect(end).toEqual({ type: 'done', runId, out, valAccuracy: 0.9, warnings: [FAKE_WARNING] });
    expect(record(runId)).toMatchObject({ status: 'done', valAccuracy: 0.9, warnings: [FAKE_WARNING] });
  });

  it('reports a trainer error with its code and context', async () => {
    const { runId } = await bridge.start({ data: dir, words: ['fail'], background: false, epochs: 2 });
    const end = await ended();
    expect(end.type).toBe('failed');
    const error = (end as { error: { code: string; message: string; context?: unknown } }).error;
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('no clips for "fail"');
    expect(error.context).toEqual({ file: dir });
    expect(record(runId).status).toBe('failed');
  });

  it('cancels through the AbortSignal, and refuses a second run meanwhile', async () => {
    const { runId } = await bridge.start({ data: dir, words: ['slow'], background: false, epochs: 1000 });
    await expect(bridge.start({ data: dir, words: ['yes'], background: false, epochs: 1 })).rejects.toMatchObject({ code: 'STATE' });
    await firstEpoch();
    expect(bridge.cancel('run-unknown')).toBe(false);
    expect(bridge.cancel(runId)).toBe(true);
    expect(await ended()).toEqual({ type: 'cancelled', runId });
    expect(record(runId).status).toBe('cancelled');
    expect(record(runId).rows.length).toBeGreaterThan(0);
  });

  it('reports a cancelled run that kept its best epoch, and passes resume through', async () => {
    const out = path.join(dir, 'mine.nwave.json');
    const { runId } = await bridge.start({ data: dir, words: ['keep'], background: false, epochs: 1000, out, resume: true });
    await firstEpoch();
    bridge.cancel(runId);
    expect(await ended()).toEqual({ type: 'cancelled', runId, out, valAccuracy: 0.7 });
    expect(record(runId)).toMatchObject({ status: 'cancelled', valAccuracy: 0.7, request: { out, resume: true } });
  });

  it('fails cleanly when the trainer cannot be loaded (training unavailable, app still works)', async () => {
    bridge = make(new URL('./test-fixtures/does-not-exist.ts', import.meta.url).href);
    await bridge.start({ data: dir, words: ['yes'], background: false, epochs: 1 });
    const end = await ended();
    expect(end.type).toBe('failed');
    expect((end as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'STATE',
      message: expect.stringContaining('training is not available'),
    });
  });

  it('keeps an interrupted run (closed mid-training) with its epochs, and lists stale runs as interrupted', async () => {
    const { runId } = await bridge.start({ data: dir, words: ['slow'], background: false, epochs: 1000 });
    await firstEpoch();
    await bridge.shutdown(2000);
    const rec = record(runId);
    expect(rec.status).toBe('interrupted');
    expect(rec.rows.length).toBeGreaterThan(0);
    // A record left as "running" by a crash is reported as interrupted by the next app start.
    const stale: TrainingRunRecord = { ...rec, runId: 'run-stale', status: 'running' };
    await bridge.store.save(stale);
    const runs = await make().list();
    expect(runs.find((r) => r.runId === 'run-stale')?.status).toBe('interrupted');
  });

  it('names default outputs after the words and the time', () => {
    expect(defaultModelName(['yes', 'no'], new Date('2026-11-27T14:30:05.123Z'))).toBe('yes-no-20261127-143005.nwave.json');
  });
});
