/** The `nwave` command line: parses arguments and dispatches; the work lives in commands/. */
import { Command, CommanderError } from 'commander';
import type { NwaveModel } from '@nwave/runtime';
import { addChipOptions, addDetectorOptions, type ChipCliOptions, type DetectorCliOptions } from './detector-flags.js';

/**
 * Everything past argument parsing loads on demand, per command (the runtime and zod for model
 * commands, TensorFlow.js only for `train`, ONNX Runtime only for ONNX work, naudiodon only for
 * `listen`/`devices`), so `nwave --version` costs little more than starting Node.
 */
const modelLoading = async () => {
  const [{ loadModel, looksLikeModel }, { parseDetectorOptions }] = await Promise.all([
    import('./load-model.js'),
    import('./detector-options.js'),
  ]);
  return { loadModel, looksLikeModel, parseDetectorOptions };
};
/**
 * Reads the simulated-chip flags (bad ones refused before any work) and gives what turns the loaded
 * model into that chip: the model itself without them. The module loads only when one of its flags
 * is given (it pulls in the eval data loader).
 */
const chipLoading = async (o: ChipCliOptions, command: string): Promise<(model: NwaveModel) => NwaveModel> => {
  if (o.simulatedChip === undefined && o.chipSeed === undefined && o.chipCalibration === undefined) return (model) => model;
  const chips = await import('./simulated-chip.js');
  const choice = chips.parseChipOptions(o);
  return (model) => (choice ? chips.simulatedChipModel(model, choice, (m) => console.error(`nwave ${command}: ${m}`)) : model);
};

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('nwave')
    .description('nwave-ts: hardware-ready spiking keyword spotting (Neuronova NWAVE-style) in TypeScript')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError();

  program
    .command('info')
    .description('layers, parameter count, constraint report and projected power of a model')
    .argument('[model]', '*.nwave.json (default: the bundled default model)')
    .option('--json', 'print one JSON object')
    .option('--input <wav...>', 'reference clips for the power projection (default: bundled examples)')
    .action(async (modelArg: string | undefined, opts: { json?: boolean; input?: string[] }) => {
      const [{ runInfo }, { loadModel }] = await Promise.all([import('./commands/info.js'), modelLoading()]);
      const { model, file } = await loadModel(modelArg);
      code = await runInfo(model, file, opts);
    });

  addChipOptions(
    addDetectorOptions(
      program
        .command('detect')
        .description('classify WAV clips, or stream long WAV files and list detections with times')
        .argument('<inputs...>', '[MODEL.nwave.json] FILE.wav|DIR ...')
        .option('--json', 'one JSON object per line per file (file, label, confidence, spikeCounts, ...)')
        .option('--stream', 'always run the streaming detector, even on short clips')
        .option(
          '--backend <name>',
          'backend of clips and streams: js (fixed-point runtime) or onnx (onnxruntime-web, same integers)',
          'js',
        ),
    ),
  ).action(async (inputs: string[], opts: { json?: boolean; stream?: boolean; backend?: string } & DetectorCliOptions & ChipCliOptions) => {
    const [{ runDetect }, { loadModel, looksLikeModel, parseDetectorOptions }, asChip] = await Promise.all([
      import('./commands/detect.js'),
      modelLoading(),
      chipLoading(opts, 'detect'),
    ]);
    const modelArg = inputs.length > 1 && looksLikeModel(inputs[0]) ? inputs[0] : undefined;
    const files = modelArg ? inputs.slice(1) : inputs;
    const { model } = await loadModel(modelArg, parseDetectorOptions(opts));
    code = await runDetect(asChip(model), files, opts);
  });

  addDetectorOptions(
    program
      .command('eval')
      .description('accuracy per class and speaker, streaming false accepts/h, mismatch Monte Carlo, power; optional HTML report')
      .argument('[model]', '*.nwave.json (default: the bundled default model)')
      .requiredOption(
        '--data <dir>',
        'data root DIR/<class>/* (WAV, FLAC, MP3, OGG; folders named like a label are that label, others background)',
      )
      .option('--json', 'print one JSON object (stable shape, see cli/src/eval/summary.ts)')
      .option('--report <file>', 'write a self-contained HTML report')
      .option('--stream-hours <h>', 'length of the stream; 0 skips streaming (default 0.25, or one pass over --stream-negatives)')
      .option(
        '--stream-lead-in <s>',
        'glue each stream keyword to the first S seconds of other speech, no pause (default 0: after whole clips)',
      )
      .option(
        '--stream-negatives <dirs...>',
        'folders of real long recordings of other speech for the stream (every audio file, recursive)',
      )
      .option(
        '--stream-keywords <dir>',
        'keyword clips DIR/<label>/* inserted into the --stream-negatives stream (default: the --data keyword clips)',
      )
      .option('--stream-split <half>', 'held-out half of --stream-negatives: eval, train or all (rule: data/src/holdout-split.ts)', 'eval')
      .option('--chips <n>', 'simulated chips per mismatch level; 0 skips the Monte Carlo', '20')
      .option(
        '--mismatch-levels <list>',
        "synaptic stddev levels, weight units (default: 0, 0.01, 0.02, the chip's nominal σ, 0.05; 0 on a chip without synaptic mismatch)",
      )
      .option('--mismatch-clips <n>', 'clips per simulated chip (seeded subset)', '1000')
      .option('--no-leak-mismatch', 'no leak (time constant) mismatch on the simulated chips')
      .option('--frontend-mismatch', 'also perturb the frontend weights')
      .option(
        '--chip-calibration <dir>',
        "unlabeled audio (same layouts as --data) to calibrate each simulated chip's output counts on; reports the chips with and without",
      )
      .option('--max-clips <n>', 'evaluate a seeded subset of n clips')
      .option('--seed <n>', 'seed of the stream, the chips and the subsets', '1'),
  ).action(async (modelArg: string | undefined, opts: import('./commands/eval.js').EvalCliOptions & DetectorCliOptions) => {
    const [{ runEvalCommand }, { loadModel, parseDetectorOptions }] = await Promise.all([import('./commands/eval.js'), modelLoading()]);
    const { model, file } = await loadModel(modelArg, parseDetectorOptions(opts));
    code = await runEvalCommand(model, file, opts);
  });

  const train = program
    .command('train')
    .description('train a hardware-constrained SNN on a class-folder data set and export a compliant checkpoint')
    .requiredOption('--data <dir>', 'data root DATA/<class>/*.wav')
    .requiredOption('--words <list>', 'keywords, comma-separated, in output order (e.g. yes,no)')
    .option('--background', 'add a _background_ class made of every other folder')
    .option('--out <file>', 'checkpoint to write', 'model.nwave.json')
    .option('--extra-train <dir...>', 'more class folders used for training only (e.g. synthetic speech)')
    .option('--val-split <x>', 'validation share (by speaker when names carry one)', '0.2')
    .option('--test-split <x>', 'test share', '0.1')
    .option('--augment <n>', 'augmented variants per training clip (time shift, gain, noise)')
    .option(
      '--augment-preset <name>',
      'what --augment varies: basic (time shift, gain, noise) or speaker (also speed 0.85-1.15, reverberation, band limits)',
    )
    .option(
      '--negatives <dir...>',
      'stream training: folders of other speech (any audio format; keyword-named folders are positives, background-noise folders are noise; train half of the held-out rule only)',
    )
    .option(
      '--stream-variants <n>',
      'windows per --negatives file, one per epoch (default 4; 0: the folders only feed hard-negative mining)',
    )
    .option('--no-stream-augment', 'no speed/room/band/gain/noise augmentation of the stream windows')
    .option(
      '--hard-negative-rounds <n>',
      "rounds of mining the runtime detector's false accepts on the --negatives and retraining (default 0)",
    )
    .option('--hard-negative-epochs <n>', 'epochs of each hard-negative round (default epochs / 4)')
    .option(
      '--hard-negative-lr-scale <x>',
      "hard-negative rounds fine-tune at a constant learning rate, this fraction (0-1] of the run's (default: the run's schedule, restarted)",
    )
    .option('--min-rejection <x>', 'background share the calibrated detector must reject on validation', '0.95')
    .option(
      '--background-mode <mode>',
      'class: a _background_ output; uniform: no output, trained to equal outputs and rejected by confidence',
      'class',
    )
    .option('--background-folders <list>', 'only these folders form the background (default: every non-keyword folder)')
    .option('--config <file.json>', 'training settings (JSON, any of the settings below); flags given on the command line win')
    .option('--cache <dir>', 'feature cache folder')
    .option('--allow-violations', 'write a checkpoint even if it breaks chip constraints (violations recorded in it)')
    .option('--resume', 'continue from <out>.train-state.json')
    .action(async (opts) => {
      const { runTrain } = await import('./commands/train.js');
      code = await runTrain(opts, argv);
    });
  // One flag per training setting, from the trainer's settings table (range, default and help
  // included), added only when `train` runs so other commands do not load zod.
  program.hook('preSubcommand', async (_, sub) => {
    if (sub !== train) return;
    const [{ trainFlags }, { TRAIN_RECIPES, DEFAULT_RECIPE, trainRecipeNames }] = await Promise.all([
      import('@nwave/training/train-config'),
      import('@nwave/training/recipes'),
    ]);
    const recipes = trainRecipeNames();
    train.option(
      '--recipe <name>',
      `named set of training settings that the config file and the flags below override (${recipes.join(', ')}; see Recipes below; default ${DEFAULT_RECIPE}, whose values are the defaults shown below)`,
    );
    train.addHelpText(
      'after',
      `\nRecipes (--recipe; values for the chip given by --chip):\n${recipes.map((n) => `  ${n.padEnd(16)} ${TRAIN_RECIPES[n].description}`).join('\n')}`,
    );
    for (const f of trainFlags()) train.option(f.spec, f.description);
  });

  addChipOptions(
    addDetectorOptions(
      program
        .command('listen')
        .description('spot keywords live on a microphone (PortAudio via naudiodon); Ctrl-C to stop')
        .option('--model <file>', '*.nwave.json (default: the bundled default model)')
        .option('--device <id|name>', 'input device id, or part of its name (default: the default input; see `nwave devices`)')
        .option('--json', 'one JSON object per line per event (start, detection, status, warning, stop, error)')
        .option('--rate <hz>', 'capture rate (default: the device default, else a common rate it accepts)')
        .option('--format <int16|float32>', 'sample format to read (default: int16, else float32)')
        .option('--duration <s>', 'stop after this many seconds of audio')
        .option('--max-events <n>', 'stop after n detections')
        .option('--watchdog <s>', 'exit 3 when no audio arrives for this long (default 5)')
        .option('--verbose', 'show PortAudio/ALSA messages'),
    ),
  ).action(async (opts: import('./commands/listen.js').ListenOptions & DetectorCliOptions & ChipCliOptions & { model?: string }) => {
    const [{ runListen }, { loadModel, parseDetectorOptions }, asChip] = await Promise.all([
      import('./commands/listen.js'),
      modelLoading(),
      chipLoading(opts, 'listen'),
    ]);
    const { model, file } = await loadModel(opts.model, parseDetectorOptions(opts));
    code = await runListen(asChip(model), file, opts);
  });

  program
    .command('devices')
    .description('list audio input devices (PortAudio)')
    .option('--json', 'one JSON object per line per device')
    .option('--verbose', 'show PortAudio/ALSA messages')
    .action(async (opts: { json?: boolean; verbose?: boolean }) => {
      const { runDevices } = await import('./commands/devices.js');
      code = await runDevices(opts);
    });

  program
    .command('export-onnx')
    .description('export a model to ONNX (fixed-point Scan graph, runs with onnxruntime-web)')
    .argument('<model>', '*.nwave.json')
    .option('-o, --out <file>', 'output file (default: MODEL with the .onnx extension)')
    .option('--arithmetic <encoding>', 'integers in the graph as float64 (default, fastest) or int64 (integer-only tools)')
    .option('--allow-violations', 'export even if the model breaks chip rules (they are recorded in the metadata)')
    .option('--verify [wav...]', 'check on clips (default: bundled examples) that onnxruntime-web matches the runtime exactly')
    .option('--json', 'print one JSON object')
    .action(
      async (
        modelArg: string,
        opts: { out?: string; arithmetic?: string; allowViolations?: boolean; verify?: boolean | string[]; json?: boolean },
      ) => {
        const { runExportOnnx } = await import('./commands/export-onnx.js');
        code = await runExportOnnx(modelArg, opts);
      },
    );

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    const { NwaveError } = await import('@nwave/runtime');
    if (e instanceof NwaveError) {
      console.error(`nwave: ${e.message}`);
      return 2;
    }
    throw e;
  }
  return code;
}
