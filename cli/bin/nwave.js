#!/usr/bin/env node
/* global process */
// Runs the TypeScript CLI through tsx's loader so the repository needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
