/**
 * Builds the synthetic WAV fixtures (espeak-ng speech, tones, noise) once per test run,
 * into test/.fixtures/. Real Speech Commands clips are committed under test/fixtures/.
 */
export default async function setup(): Promise<void> {
  const { buildFixtures } = await import('../scripts/build-fixtures.js');
  await buildFixtures();
}
