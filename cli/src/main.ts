/** The `nwave` command line: parses arguments and dispatches; the work lives in commands/. */
import { Command, CommanderError } from 'commander';
import { NwaveError } from '@nwave/runtime';
import { loadModel, looksLikeModel } from './load-model.js';

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
      const { runInfo } = await import('./commands/info.js');
      const { model, file } = await loadModel(modelArg);
      code = await runInfo(model, file, opts);
    });

  program
    .command('detect')
    .description('classify WAV clips, or stream long WAV files and list detections with times')
    .argument('<inputs...>', '[MODEL.nwave.json] FILE.wav|DIR ...')
    .option('--json', 'one JSON object per line per file (file, label, confidence, spikeCounts, ...)')
    .option('--stream', 'always run the streaming detector, even on short clips')
    .action(async (inputs: string[], opts: { json?: boolean; stream?: boolean }) => {
      const { runDetect } = await import('./commands/detect.js');
      const modelArg = inputs.length > 1 && looksLikeModel(inputs[0]) ? inputs[0] : undefined;
      const files = modelArg ? inputs.slice(1) : inputs;
      const { model } = await loadModel(modelArg);
      code = await runDetect(model, files, opts);
    });

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof NwaveError) {
      console.error(`nwave: ${e.message}`);
      return 2;
    }
    throw e;
  }
  return code;
}
