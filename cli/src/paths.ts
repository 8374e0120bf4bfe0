/** Where the CLI finds bundled assets: the default model and example clips. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The bundled default model (trained yes/no + background). */
export const DEFAULT_MODEL = path.join(REPO_ROOT, 'models', 'default.nwave.json');
/** Real Speech Commands clips bundled as examples and reference input. */
export const EXAMPLES_DIR = path.join(REPO_ROOT, 'models', 'examples');
