#!/usr/bin/env node
/* global process */
// Runs the TypeScript CLI through tsx's loader so the repository needs no build step.
import { register } from 'tsx/esm/api';

register();
// `nwave detect DIR | head`: a closed pipe ends the command quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
