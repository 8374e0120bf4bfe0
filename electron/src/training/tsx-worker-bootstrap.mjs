// Development only (npm run web, unit tests): runs a TypeScript worker entry under tsx. Node 20
// ignores `--import tsx` in a Worker's execArgv, so the loader is registered here instead.
// Usage: new Worker(thisFile, { argv: [entryFileUrl], workerData }).
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
await import(process.argv[2]);
