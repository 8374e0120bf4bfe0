/**
 * `@nwave/runtime/wav`: the WAV codec (browser-safe, on the wavefile library), kept out of the
 * core entry so apps that get audio from a microphone or WebAudio do not ship it.
 */
export * from './dsp/wav.js';
