#!/usr/bin/env node
/* global process */
// Runs the built CLI (cli/bundle, made by `npm run build`, which `npm ci` runs): plain JavaScript,
// no TypeScript loader. Commands import what they need on demand, so start-up stays close to `node`.
// `nwave detect DIR | head`: a closed pipe ends the command quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
const { main } = await import('../bundle/main.js');
process.exitCode = await main(process.argv);
