/**
 * Input level meter (RMS bar with peak hold, dBFS) proving that sound arrives, and a warning when
 * the microphone delivers pure digital silence (a denied permission on some systems gives a
 * silent stream instead of an error, electron#29861).
 */
import type { LevelSnapshot } from '../engine/engine-messages.js';
import { fmtDb } from '../format.js';
import { h, replace, setText } from './dom.js';

const FLOOR_DB = -72;
const SILENT_WARN_S = 2.5;

export class LevelMeter {
  private readonly fill = h('div', { class: 'meter-fill' });
  private readonly peak = h('div', { class: 'meter-peak' });
  private readonly label = h('span', { class: 'meter-label', 'data-testid': 'level' }, fmtDb(-120));
  private readonly warning = h('div', { class: 'warning', hidden: true });
  private peakDb = -120;
  private silentS = 0;

  constructor(root: HTMLElement) {
    replace(root, h('div', { class: 'meter' }, this.fill, this.peak), this.label, this.warning);
  }

  update(level: LevelSnapshot, sampleRateHz: number, live: boolean): void {
    const pos = (db: number): number => Math.max(0, Math.min(1, (db - FLOOR_DB) / -FLOOR_DB)) * 100;
    this.peakDb = Math.max(level.peakDb, this.peakDb - 0.6);
    this.fill.style.width = `${pos(level.rmsDb)}%`;
    this.peak.style.left = `${pos(this.peakDb)}%`;
    setText(this.label, `${fmtDb(level.rmsDb)} RMS · peak ${fmtDb(this.peakDb)}`);
    const silent = live && level.samples > 0 && level.peakDb <= -119;
    this.silentS = silent ? this.silentS + level.samples / sampleRateHz : 0;
    const warn = this.silentS > SILENT_WARN_S;
    if (warn !== !this.warning.hidden) {
      this.warning.hidden = !warn;
      setText(
        this.warning,
        'No sound is arriving (the stream is digital silence). Check that the microphone is not muted and that this app may use it.',
      );
    }
  }

  reset(): void {
    this.peakDb = -120;
    this.silentS = 0;
    this.warning.hidden = true;
    this.fill.style.width = '0%';
  }
}
