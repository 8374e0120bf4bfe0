import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { partOf } from '../scripts/default-model-data.js';
const dev = '/work/shared/data/speech-commands-dev';
const val = new Set(readFileSync('.cache/default-model-holdout/sc/validation_list.txt', 'utf8').split('\n').filter(Boolean));
const test = new Set(readFileSync('.cache/default-model-holdout/sc/testing_list.txt', 'utf8').split('\n').filter(Boolean));
let bad = 0, n = 0;
for (const c of readdirSync(dev)) { if (c.includes('.') || c === 'LICENSE') continue;
  for (const f of readdirSync(path.join(dev, c))) { if (!f.endsWith('.wav')) continue; n++;
    const p = partOf(path.resolve(dev, c, f)); const q = val.has(`${c}/${f}`) ? 'val' : test.has(`${c}/${f}`) ? 'test' : 'train';
    if (p !== q) bad++; } }
console.log({ n, bad });
