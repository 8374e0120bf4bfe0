/**
 * Training in the app: choose a data folder and words, run `training/` in the main process's
 * worker thread, watch loss / accuracy / firing-rate curves live, then choose to use the result
 * ("Use this model": a trained model never replaces the live one by itself). Past runs
 * (including ones cut short by closing the app) are listed with their curves.
 *
 * The chip (the runtime's chip profiles) and the recipe (the trainer's, from main) are chosen
 * here; the epochs field follows the recipe for that chip until the user edits it.
 *
 * One figure names a run's quality everywhere: "validation accuracy", the saved model's accuracy
 * on the validation clips as the trainer measured it after export (`done.valAccuracy`, kept as
 * `TrainingRunRecord.valAccuracy`). Per-epoch values are labelled by their epoch.
 */
import { DEFAULT_CHIP_PROFILE_ID, chipProfileIds, chipShortName, getChipProfile } from '@nwave/runtime';
import type {
  EpochRow,
  NwaveApi,
  TrainingEvent,
  TrainingRecipeInfo,
  TrainingRequest,
  TrainingRunRecord,
} from '@nwave/electron/shared/ipc-contract';
import type { EngineClient } from '../engine/engine-client.js';
import { fmtDuration, fmtPct } from '../format.js';
import type { AppStore } from '../store/app-store.js';
import { CurvesView } from './curves-view.js';
import { h, replace, setText } from './dom.js';
import { Recorder } from './recorder.js';

/** The recipe the panel proposes until the user picks one: the one that made the bundled models. */
const PANEL_RECIPE = 'keyword-spotter';
const DEFAULT_CHIP = chipShortName(getChipProfile(DEFAULT_CHIP_PROFILE_ID));

export class TrainingPanel {
  private readonly folder = h('input', {
    type: 'text',
    placeholder: '/path/to/DATA (one folder per word)',
    class: 'grow',
    'aria-label': 'Data folder',
  }) as HTMLInputElement;
  private readonly classes = h('div', { class: 'classes' });
  private readonly background = h('input', { type: 'checkbox', checked: true }) as HTMLInputElement;
  private readonly epochs = h('input', { type: 'number', min: 1, max: 10000, value: '20', 'aria-label': 'Epochs' }) as HTMLInputElement;
  private readonly chip = h(
    'select',
    { 'aria-label': 'Chip', 'data-testid': 'train-chip' },
    ...chipProfileIds().map((id) => {
      const p = getChipProfile(id);
      return h('option', { value: chipShortName(p) }, p.chip);
    }),
  ) as HTMLSelectElement;
  private readonly recipe = h('select', { 'aria-label': 'Recipe', 'data-testid': 'train-recipe' }) as HTMLSelectElement;
  private recipes: TrainingRecipeInfo[] = [];
  /** The recipe to select once the list has arrived (saved setting, else {@link PANEL_RECIPE}). */
  private wantedRecipe = PANEL_RECIPE;
  /** The epochs field holds a saved or typed value (else it follows the recipe). */
  private epochsChosen = false;
  private readonly startBtn = h('button', { class: 'primary' }, 'Train');
  private readonly cancelBtn = h('button', { disabled: true }, 'Cancel');
  private readonly status = h('div', { class: 'training-status', role: 'status', 'data-testid': 'training-status' }, 'Idle.');
  /** "Use this model" for the run that just ended. */
  private readonly useSlot = h('div', { class: 'row', 'data-testid': 'use-model-row' });
  private readonly runsList = h('ul', { class: 'runs' });
  private readonly curves: CurvesView;
  private runId: string | null = null;
  private rows: EpochRow[] = [];
  private epochsPlanned = 0;

  constructor(
    root: HTMLElement,
    private readonly api: NwaveApi,
    engine: EngineClient,
    private readonly store: AppStore,
    private readonly loadModelPath: (path: string) => Promise<void>,
  ) {
    this.folder.id = 'train-folder';
    // Electron's main process only opens folders picked in its dialog (capability handles), so
    // there the field is filled by Browse…, not typed.
    if (document.body.dataset.shell === 'electron') {
      this.folder.readOnly = true;
      this.folder.placeholder = 'choose a folder with Browse…';
    }
    const recorderRoot = h('div', { class: 'recorder' });
    const curvesRoot = h('div', {});
    replace(
      root,
      h(
        'div',
        { class: 'card' },
        h('h2', {}, 'Train a model'),
        h(
          'div',
          { class: 'row' },
          this.folder,
          h('button', { onclick: () => void this.browse() }, 'Browse…'),
          h('button', { onclick: () => void this.scan() }, 'Scan'),
        ),
        this.classes,
        h(
          'div',
          { class: 'row' },
          h('label', { class: 'field inline' }, h('span', {}, 'chip'), this.chip),
          h('label', { class: 'field inline' }, h('span', {}, 'recipe'), this.recipe),
        ),
        h(
          'div',
          { class: 'row' },
          h('label', { class: 'field inline' }, this.background, h('span', {}, 'merge other folders into _background_')),
          h('label', { class: 'field inline' }, h('span', {}, 'epochs'), this.epochs),
          this.startBtn,
          this.cancelBtn,
        ),
        this.status,
        this.useSlot,
        curvesRoot,
        recorderRoot,
      ),
      h('div', { class: 'card' }, h('h2', {}, 'Training runs'), this.runsList),
    );
    this.curves = new CurvesView(curvesRoot);
    new Recorder(
      recorderRoot,
      api,
      engine,
      store,
      () => this.folder.value.trim(),
      () => {
        if (this.classes.querySelector('input')) void this.scan();
      },
    );
    this.startBtn.addEventListener('click', () => void this.start());
    this.cancelBtn.addEventListener('click', () => this.runId && void this.api.cancelTraining(this.runId));
    this.folder.addEventListener(
      'change',
      () => void this.api.updateSettings({ dataFolder: this.folder.value.trim() }).catch(() => undefined),
    );
    // A new chip or recipe brings its epochs; a typed value stays until then.
    this.chip.value = DEFAULT_CHIP;
    this.chip.addEventListener('change', () => this.followRecipe());
    this.recipe.addEventListener('change', () => {
      this.wantedRecipe = this.recipe.value;
      this.followRecipe();
    });
    this.epochs.addEventListener('input', () => (this.epochsChosen = true));
    // Fill the form once from the saved settings; later saves come from the form itself.
    const off = store.watch('settings', (s) => {
      if (!s) return;
      this.folder.value = s.dataFolder;
      this.background.checked = s.trainBackground;
      if (s.trainChip && Array.from(this.chip.options).some((o) => o.value === s.trainChip)) this.chip.value = s.trainChip;
      // Saved epochs belong to a saved recipe; without one the epochs are the default recipe's.
      if (s.trainRecipe) {
        this.wantedRecipe = s.trainRecipe;
        this.epochs.value = String(s.trainEpochs);
        this.epochsChosen = true;
      }
      this.showRecipes();
      queueMicrotask(() => off());
    });
    void Promise.resolve()
      .then(() => api.listTrainingRecipes())
      .then(
        (recipes) => {
          this.recipes = recipes;
          this.showRecipes();
        },
        (err: Error) => setText(this.status, `Training recipes unavailable: ${err.message}`),
      );
    api.onTrainingEvent((e) => this.onEvent(e));
    void this.refreshRuns();
  }

  /** Fills the recipe list (once it has arrived) and selects the wanted recipe. */
  private showRecipes(): void {
    if (!this.recipes.length) return;
    if (this.recipe.options.length !== this.recipes.length)
      replace(this.recipe, ...this.recipes.map((r) => h('option', { value: r.name, title: r.description }, r.name)));
    const known = this.recipes.some((r) => r.name === this.wantedRecipe);
    this.recipe.value = known ? this.wantedRecipe : this.recipes[0].name;
    if (!this.epochsChosen) this.followRecipe();
  }

  /** Epochs field := the chosen recipe's epochs on the chosen chip. */
  private followRecipe(): void {
    const epochs = this.recipes.find((r) => r.name === this.recipe.value)?.epochs[this.chip.value];
    if (epochs === undefined) return;
    this.epochs.value = String(epochs);
    this.epochsChosen = false;
  }

  private async browse(): Promise<void> {
    const dir = await this.api.pickFolder('data');
    if (!dir) return;
    this.folder.value = dir;
    await this.api.updateSettings({ dataFolder: dir }).catch(() => undefined);
    await this.scan();
  }

  private async scan(): Promise<void> {
    try {
      const summary = await this.api.scanDataFolder(this.folder.value.trim());
      // A re-scan (after a recording) keeps the ticks the user made since.
      const ticked = this.classes.querySelector('input') ? new Set(this.selectedWords()) : null;
      const chosen = ticked ?? new Set(this.store.state.settings?.trainWords ?? []);
      replace(
        this.classes,
        ...summary.classes.map((c) =>
          h(
            'label',
            { class: 'class-chip' },
            h('input', { type: 'checkbox', value: c.name, checked: chosen.has(c.name) }),
            ` ${c.name} `,
            h('span', { class: 'muted', 'data-testid': `clips-${c.name}`, title: 'clips' }, `${c.clips}`),
          ),
        ),
      );
      if (!summary.classes.length) setText(this.classes, 'No class folders (DATA/<word>/*.wav) in this folder.');
    } catch (err) {
      setText(this.classes, (err as Error).message);
    }
  }

  /** Ticked words, in the order of the saved choice (output neuron order), new ones last. */
  private selectedWords(): string[] {
    const saved = this.store.state.settings?.trainWords ?? [];
    const rank = (w: string): number => (saved.includes(w) ? saved.indexOf(w) : saved.length);
    return Array.from(this.classes.querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked'))
      .map((i) => i.value)
      .sort((a, b) => rank(a) - rank(b));
  }

  private async start(): Promise<void> {
    const words = this.selectedWords();
    if (!words.length) return setText(this.status, 'Scan the data folder and tick the words to learn.');
    const epochs = Math.max(1, Math.round(Number(this.epochs.value) || 20));
    const request: TrainingRequest = {
      data: this.folder.value.trim(),
      words,
      background: this.background.checked,
      epochs,
      chip: this.chip.value,
      // Without the list from main (an old main process), the trainer's default recipe.
      ...(this.recipe.value ? { recipe: this.recipe.value } : {}),
    };
    try {
      // The form is remembered even when main refuses the run (main says why: the start does).
      await this.api
        .updateSettings({
          dataFolder: request.data,
          trainWords: words,
          trainBackground: request.background,
          trainEpochs: epochs,
          trainChip: request.chip,
          ...(request.recipe ? { trainRecipe: request.recipe } : {}),
        })
        .catch(() => undefined);
      this.rows = [];
      this.epochsPlanned = epochs;
      replace(this.useSlot);
      const { runId, out } = await this.api.startTraining(request);
      this.runId = runId;
      this.setRunning(true);
      const how = [request.recipe ? `recipe ${request.recipe}` : '', `chip ${request.chip}`].filter(Boolean).join(', ');
      setText(this.status, `Training ${words.join(', ')} for ${epochs} epochs (${how}) → ${out}`);
    } catch (err) {
      setText(this.status, `Cannot start: ${(err as Error).message}`);
    }
  }

  private setRunning(running: boolean): void {
    this.startBtn.disabled = running;
    this.cancelBtn.disabled = !running;
  }

  private onEvent(e: TrainingEvent): void {
    if (this.runId && e.runId !== this.runId) return;
    if (e.type === 'epoch') {
      this.rows.push(e.row);
      this.curves.draw(this.rows, this.epochsPlanned || e.row.epochs);
      setText(
        this.status,
        `Epoch ${e.row.epoch}/${e.row.epochs}: loss ${e.row.loss.toFixed(3)}, train ${fmtPct(e.row.trainAccuracy)}, this epoch's validation ${fmtPct(e.row.valAccuracy)}, about ${fmtDuration(e.row.etaS)} left`,
      );
      return;
    }
    if (e.type === 'started') return;
    if (e.type === 'stage') {
      const progress = e.total ? ` ${e.done ?? 0}/${e.total}` : '';
      if (!this.rows.length || e.stage !== 'training') setText(this.status, `Training: ${e.stage}${progress}…`);
      return;
    }
    this.setRunning(false);
    this.runId = null;
    // The trainer's warnings about the saved model follow the result.
    const warn = e.type !== 'failed' && e.warnings?.length ? ` Warning: ${e.warnings.join(' Warning: ')}` : '';
    if (e.type === 'done') {
      setText(this.status, `Done: validation accuracy ${fmtPct(e.valAccuracy)} (saved model). Saved to ${e.out}.${warn}`);
      this.offerModel(e.out);
    } else if (e.type === 'failed') setText(this.status, `Training failed: ${e.error.message}`);
    else if (e.out) {
      setText(
        this.status,
        `Stopped: kept the best epoch so far, validation accuracy ${fmtPct(e.valAccuracy ?? 0)} (saved model), in ${e.out}.${warn}`,
      );
      this.offerModel(e.out);
    } else setText(this.status, 'Training cancelled.');
    void this.refreshRuns();
  }

  /** The explicit step from a trained model to the live one. */
  private offerModel(out: string): void {
    const use = h('button', { type: 'button', class: 'primary', 'data-testid': 'use-model' }, 'Use this model');
    use.addEventListener('click', () => {
      use.disabled = true;
      void this.loadModelPath(out).then(
        () => setText(this.status, `${out} is now the live model.`),
        (err: Error) => {
          use.disabled = false;
          setText(this.status, `The model could not be loaded: ${err.message}`);
        },
      );
    });
    replace(this.useSlot, use, h('span', { class: 'muted small' }, 'The live model stays as it is until you choose this one.'));
  }

  private async rerun(request: Parameters<NwaveApi['startTraining']>[0]): Promise<void> {
    try {
      this.rows = [];
      this.epochsPlanned = request.epochs;
      const { runId } = await this.api.startTraining(request);
      this.runId = runId;
      this.setRunning(true);
      setText(this.status, `${request.resume ? 'Resuming' : 'Training'} ${request.words.join(', ')} → ${request.out}`);
    } catch (err) {
      setText(this.status, `Cannot start: ${(err as Error).message}`);
    }
  }

  private async refreshRuns(): Promise<void> {
    const runs = await this.api.listTrainingRuns().catch(() => [] as TrainingRunRecord[]);
    if (!runs.length) return replace(this.runsList, h('li', { class: 'muted' }, 'No runs yet.'));
    replace(this.runsList, ...runs.slice(0, 20).map((r) => this.runRow(r)));
  }

  private runRow(r: TrainingRunRecord): HTMLElement {
    const quality =
      (r.valAccuracy !== undefined ? ` · validation accuracy ${fmtPct(r.valAccuracy)} (saved model)` : '') +
      (r.warnings?.length ? ` · warning: ${r.warnings.join('; ')}` : '');
    const how = [r.request.recipe, r.request.chip].filter(Boolean).join(' on ');
    const summary = `${r.request.words.join(', ')} · ${r.rows.length}/${r.request.epochs} epochs${how ? ` · ${how}` : ''}${quality}`;
    const actions: HTMLElement[] = [
      h('button', { type: 'button', class: 'link', onclick: () => this.curves.draw(r.rows, r.request.epochs) }, 'curves'),
    ];
    if (r.status === 'done' || (r.status === 'cancelled' && r.valAccuracy !== undefined))
      actions.push(
        h(
          'button',
          { type: 'button', class: 'link', 'data-testid': 'run-use-model', onclick: () => void this.loadModelPath(r.request.out) },
          'use this model',
        ),
      );
    if (r.status === 'interrupted' || r.status === 'failed' || r.status === 'cancelled') {
      // Same output file + resume: the trainer continues from the state it saved after its last epoch.
      const again = {
        data: r.request.data,
        words: r.request.words,
        background: r.request.background,
        epochs: r.request.epochs,
        out: r.request.out,
        resume: r.status !== 'failed',
        ...(r.request.chip !== undefined ? { chip: r.request.chip } : {}),
        ...(r.request.recipe !== undefined ? { recipe: r.request.recipe } : {}),
      };
      actions.push(
        h('button', { type: 'button', class: 'link', onclick: () => void this.rerun(again) }, again.resume ? 'resume' : 'run again'),
      );
    }
    return h(
      'li',
      { class: `run status-${r.status}` },
      h('span', { class: 'run-status' }, r.status),
      h('span', {}, new Date(r.startedAt).toLocaleString()),
      h('span', { class: 'muted', 'data-testid': 'run-summary' }, summary),
      ...actions,
      r.error ? h('div', { class: 'small bad' }, r.error.message) : null,
    );
  }
}
