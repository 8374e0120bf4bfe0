/**
 * Before any test: (1) `npm run build` (incremental, a no-op when nothing changed), because the CLI
 * tests run the real `nwave` binary, which runs the build, never the sources; (2) the synthetic WAV
 * fixtures (espeak-ng speech, tones, noise), once per run, into test/.fixtures/. Real Speech
 * Commands clips are committed under test/fixtures/.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default async function setup(): Promise<void> {
  const root = path.resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', path.join(root, 'tsconfig.build.json')], {
    cwd: root,
    stdio: 'inherit',
  });
  execFileSync(process.execPath, [path.join(root, 'cli/scripts/bundle.mjs')], { cwd: root, stdio: 'inherit' });
  const { buildFixtures } = await import('../scripts/build-fixtures.js');
  await buildFixtures();
}
