import { prepareDefaultModelData } from '../scripts/default-model-data.js';
console.log(await prepareDefaultModelData('/work/shared/data/speech-commands-dev', '/work/shared/data/extra-speech', '.cache/default-model-holdout'));
