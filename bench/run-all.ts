/**
 * `npm run bench`: every benchmark, printed as ratios against baselines measured in the same run
 * (these machines are shared and noisy: no absolute thresholds in tests).
 *   npm run bench                 all
 *   npm run bench -- runtime      only names containing "runtime"
 */
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const benches: [string, () => Promise<unknown>][] = [
  ['package', async () => (await import('./package.bench.js')).benchPackage()],
  ['runtime-pipeline', async () => (await import('./runtime-pipeline.bench.js')).benchRuntimePipeline()],
  ['filterbank', async () => (await import('./filterbank.bench.js')).benchFilterbank()],
  ['onnx', async () => (await import('./onnx.bench.js')).benchOnnx()],
  ['eval', async () => (await import('./eval.bench.js')).benchEval()],
  ['training-kernels', async () => (await import('./training-kernels.bench.js')).benchTrainingKernels()],
  ['long-file', async () => (await import('./long-file.bench.js')).benchLongFile()],
];
for (const [name, run] of benches) {
  if (only.length && !only.some((o) => name.includes(o))) continue;
  console.log(`\n=== ${name} ===`);
  await run();
}
