// Bundles the `nwave` command for fast start-up: cli/bundle/main.js plus one chunk per command
// (esbuild code splitting follows the commands' dynamic imports). Node then reads a handful of
// files instead of ~150 ES modules (~2x faster to start). The workspaces are bundled from their
// TypeScript sources (one copy of @nwave/runtime, so its error classes and backend registry are
// shared); third-party packages stay external and load only when a command imports them (tfjs for
// `train`, onnxruntime-web for ONNX work, naudiodon for `listen`/`devices`), except the small ones
// every model command needs. Run by `npm run build` after tsc.
/* global console */
import { rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(CLI, 'bundle');
/** Small dependencies of the model commands: inlined. Everything else third-party stays external. */
const INLINED = ['commander', 'zod', 'wavefile'];
const packageName = (spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

const externals = {
  name: 'nwave-externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || builtinModules.includes(packageName(args.path))) return { external: true };
      const name = packageName(args.path);
      // Only `zod/mini` (the runtime's) is inlined: the trainer's full `zod` stays external, else its
      // namespaces would pull every zod locale into the chunk that `detect` loads.
      if (args.path === 'zod') return { external: true };
      if (name.startsWith('@nwave/') || INLINED.includes(name)) return undefined;
      return { external: true };
    });
  },
};

rmSync(OUT, { recursive: true, force: true });
const t0 = Date.now();
await build({
  entryPoints: { main: path.join(CLI, 'src/main.ts'), 'mic-worker': path.join(CLI, 'src/listen/mic-worker.ts') },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  conditions: ['source'],
  chunkNames: '[name]-[hash]',
  plugins: [externals],
  sourcemap: true,
  logLevel: 'warning',
  // ESM output of CommonJS packages (commander, wavefile) needs a `require` for their built-in imports.
  banner: {
    js: "import { createRequire as __nwaveCreateRequire } from 'node:module'; const require = __nwaveCreateRequire(import.meta.url);",
  },
});
console.log(`[bundle] cli/bundle in ${Date.now() - t0} ms`);
