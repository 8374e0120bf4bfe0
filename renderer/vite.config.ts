/**
 * Vite configuration of the renderer, shared by `npm run web` (dev server + the dev API plugin,
 * see dev/web-server.ts) and the Electron build (electron/scripts/build.ts -> renderer/dist).
 */
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type UserConfig } from 'vite';

export const RENDERER_ROOT = fileURLToPath(new URL('.', import.meta.url));

export function rendererConfig(): UserConfig {
  return {
    root: RENDERER_ROOT,
    // Relative asset URLs: the same build loads from app://app/ (Electron) or any web path.
    base: './',
    clearScreen: false,
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: true,
      chunkSizeWarningLimit: 1024,
      rollupOptions: {
        onwarn(warning, warn) {
          // runtime/src/dsp/wav.ts probes both of wavefile's module shapes on purpose.
          if (warning.code === 'IMPORT_IS_UNDEFINED' && /[\\/]dsp[\\/]wav\.ts/.test(warning.id ?? warning.message)) return;
          warn(warning);
        },
      },
    },
    worker: { format: 'es' },
    resolve: {
      // The workspaces' TypeScript sources (their `source` export condition), not their builds.
      conditions: ['source', ...defaultClientConditions],
      // The ONNX backend (loaded lazily, file classification only) needs only ORT's WASM CPU
      // provider: its bundle build is 73 kB and pairs with ort-wasm-simd-threaded.wasm (14 MB,
      // served through a `?url` import), against 414 kB + a 28 MB WebGPU/JSEP wasm by default.
      alias: [{ find: /^onnxruntime-web$/, replacement: 'onnxruntime-web/wasm' }],
    },
    // Pre-bundle the runtime's CommonJS/UMD dependencies up front so that the first page load
    // (and the first worker) never triggers a re-optimisation reload.
    // onnxruntime-web is ESM already and must not be pre-bundled (its WASM loader is path-sensitive).
    optimizeDeps: {
      include: ['wavefile', 'zod', 'protobufjs/light.js'],
      exclude: ['onnxruntime-web'],
      entries: ['index.html', 'src/engine/engine-worker.ts'],
    },
  };
}

export default defineConfig(rendererConfig());
