/**
 * Backends: the contract (`SnnBackend`, `SnnSession`), the registry with priorities and fallback,
 * the built-in `js` backend (registered on import) and backend-independent helpers.
 *
 *   const { backend } = await resolveBackend(['onnx', 'js']);   // first that starts
 *   const session = await backend.createSession(model);
 *   const results = await classifyClips(session, model, clips);
 */
export * from './snn-backend.js';
export * from './registry.js';
export { jsBackend } from './js-backend.js';
export * from './clip-batch.js';
