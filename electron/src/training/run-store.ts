/**
 * Training runs on disk: one JSON record per run in `runsDir`, rewritten atomically after every
 * epoch, so a run survives the app being closed (it then shows as `interrupted`, with its curves).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '@nwave/runtime/node';
import type { TrainingRunRecord } from '../shared/ipc-contract.js';

export class RunStore {
  private readonly writes = new Map<string, Promise<void>>();

  constructor(readonly dir: string) {}

  private file(runId: string): string {
    return path.join(this.dir, `${runId}.json`);
  }

  /** Persists a snapshot of the record; writes of one run are serialised. */
  save(record: TrainingRunRecord): Promise<void> {
    const text = `${JSON.stringify(record, null, 2)}\n`;
    const prev = this.writes.get(record.runId) ?? Promise.resolve();
    const next = prev.then(() => writeFileAtomic(this.file(record.runId), text));
    this.writes.set(
      record.runId,
      next.catch(() => undefined),
    );
    return next;
  }

  /** Resolves once every pending write is on disk. */
  async flush(): Promise<void> {
    await Promise.all(this.writes.values());
  }

  /**
   * Every run, newest first. A record still marked `running` whose id is not in `active` was cut
   * short (app closed or crashed): it is reported, and rewritten, as `interrupted`.
   */
  async list(active: ReadonlySet<string> = new Set()): Promise<TrainingRunRecord[]> {
    let names: string[];
    try {
      names = (await fs.readdir(this.dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    } catch {
      return [];
    }
    const runs: TrainingRunRecord[] = [];
    for (const name of names) {
      try {
        const rec = JSON.parse(await fs.readFile(path.join(this.dir, name), 'utf8')) as TrainingRunRecord;
        if (rec.status === 'running' && !active.has(rec.runId)) {
          rec.status = 'interrupted';
          await this.save(rec);
        }
        runs.push(rec);
      } catch {
        // A foreign or damaged file: not a run record.
      }
    }
    return runs.sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
  }
}
