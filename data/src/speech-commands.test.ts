import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { EXTRACT_MARKER, extractSpeechCommands, prepareSpeechCommands } from './speech-commands.js';
import { DownloadError, downloadResumable } from './resumable-download.js';
import { tone, writeTestWav } from './test-wav.js';

/** A small archive in the official layout, entries prefixed with `./` as in the real one. */
function buildArchive(dir: string): { archive: string; bytes: Buffer; sha256: string } {
  const src = join(dir, 'src');
  writeTestWav(join(src, 'yes', 'aaaa1111_nohash_0.wav'), [tone(440, 1, 16000)], 16000);
  writeTestWav(join(src, 'yes', 'bbbb2222_nohash_0.wav'), [tone(550, 1, 16000)], 16000);
  writeTestWav(join(src, 'no', 'aaaa1111_nohash_0.wav'), [tone(330, 1, 16000)], 16000);
  writeTestWav(join(src, 'house', 'cccc3333_nohash_0.wav'), [tone(220, 1, 16000)], 16000);
  // Noise with high entropy keeps the gzip large enough to cut it in the middle.
  const noise = new Float32Array(16000 * 3).map(() => Math.random() * 0.2 - 0.1);
  writeTestWav(join(src, '_background_noise_', 'white_noise.wav'), [noise], 16000);
  writeFileSync(join(src, 'validation_list.txt'), 'yes/bbbb2222_nohash_0.wav\n');
  writeFileSync(join(src, 'testing_list.txt'), 'no/aaaa1111_nohash_0.wav\n');
  const archive = join(dir, 'sc.tar.gz');
  tar.c({ gzip: true, file: archive, cwd: src, sync: true }, [
    './yes',
    './no',
    './house',
    './_background_noise_',
    './validation_list.txt',
    './testing_list.txt',
  ]);
  const bytes = readFileSync(archive);
  return { archive, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

describe('speech-commands download and extract (real HTTP on 127.0.0.1)', () => {
  let dir: string;
  let server: Server;
  let base: string;
  let archive: { archive: string; bytes: Buffer; sha256: string };
  /** Requests seen by the server: path and Range header. */
  const seen: { path: string; range: string | undefined }[] = [];
  /** Paths whose first response is cut in the middle of the body. */
  const dropOnce = new Set<string>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nwave-sc-'));
    archive = buildArchive(dir);
    server = createServer((req, res) => {
      const path = req.url ?? '/';
      seen.push({ path, range: req.headers.range });
      const body = archive.bytes;
      if (path.startsWith('/no-range')) {
        res.writeHead(200, { 'content-length': body.length });
        res.end(body);
        return;
      }
      const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      const start = m ? Number(m[1]) : 0;
      const slice = body.subarray(start);
      if (m) {
        res.writeHead(206, { 'content-length': slice.length, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
      } else {
        res.writeHead(200, { 'content-length': body.length, 'accept-ranges': 'bytes' });
      }
      if (dropOnce.has(path)) {
        dropOnce.delete(path);
        // Half the body, then FIN (socket.end, not destroy): an RST could make the client's kernel
        // discard bytes it already received, and the test must see a real partial download.
        res.write(slice.subarray(0, Math.floor(slice.length / 2)), () => res.socket?.end());
        return;
      }
      res.end(slice);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes an interrupted download with a Range request and verifies the checksum', async () => {
    dropOnce.add('/a.tar.gz');
    const progress: number[] = [];
    const logs: string[] = [];
    const dest = join(dir, 'dl-a', 'a.tar.gz');
    const res = await downloadResumable({
      url: `${base}/a.tar.gz`,
      dest,
      expectedSha256: archive.sha256,
      retryDelayMs: 10,
      onProgress: (p) => progress.push(p.receivedBytes),
      log: (m) => logs.push(m),
    });
    expect(res.requests).toBe(2);
    expect(res.sha256).toBe(archive.sha256);
    expect(readFileSync(dest).equals(archive.bytes)).toBe(true);
    expect(existsSync(`${dest}.part`)).toBe(false);
    const reqs = seen.filter((s) => s.path === '/a.tar.gz');
    expect(reqs[0].range).toBeUndefined();
    const resumedAt = Number(/bytes=(\d+)-/.exec(reqs[1].range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThan(archive.bytes.length);
    expect(progress.at(-1)).toBe(archive.bytes.length);
    expect(logs.some((l) => l.includes('interrupted'))).toBe(true);
    // Second call: already complete, no request.
    const again = await downloadResumable({ url: `${base}/a.tar.gz`, dest, expectedSha256: archive.sha256 });
    expect(again.cached).toBe(true);
  });

  it('leaves a .part after a failed attempt without retries, and a later call resumes it', async () => {
    dropOnce.add('/b.tar.gz');
    const dest = join(dir, 'dl-b', 'b.tar.gz');
    await expect(downloadResumable({ url: `${base}/b.tar.gz`, dest, retries: 0, log: () => {} })).rejects.toBeInstanceOf(DownloadError);
    const partial = statSync(`${dest}.part`).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(archive.bytes.length);
    await downloadResumable({ url: `${base}/b.tar.gz`, dest, expectedSha256: archive.sha256, log: () => {} });
    expect(readFileSync(dest).equals(archive.bytes)).toBe(true);
    expect(seen.filter((s) => s.path === '/b.tar.gz').at(-1)?.range).toBe(`bytes=${partial}-`);
  });

  it('starts over when the server answers 200 to a Range request', async () => {
    const dest = join(dir, 'dl-c', 'c.tar.gz');
    writeTestWav(`${dest}.part`, [tone(100, 0.1, 8000)], 8000); // garbage prefix that must be discarded
    const res = await downloadResumable({ url: `${base}/no-range/c`, dest, expectedSha256: archive.sha256, log: () => {} });
    expect(res.sha256).toBe(archive.sha256);
  });

  it('rejects a checksum mismatch and deletes the bad .part', async () => {
    const dest = join(dir, 'dl-d', 'd.tar.gz');
    const err = await downloadResumable({ url: `${base}/d.tar.gz`, dest, expectedSha256: '0'.repeat(64), log: () => {} }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as Error).message).toMatch(/checksum mismatch/);
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('reports HTTP errors with the status', async () => {
    const s404 = createServer((_q, r) => {
      r.writeHead(404);
      r.end();
    });
    await new Promise<void>((r) => s404.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(s404.address() as AddressInfo).port}/x`;
    await expect(downloadResumable({ url, dest: join(dir, 'dl-e', 'x'), log: () => {} })).rejects.toThrow(/HTTP 404/);
    await new Promise<void>((r) => s404.close(() => r()));
  });

  it('prepares a word subset: words + _background_noise_ + list files, with a marker', async () => {
    const cacheDir = join(dir, 'prep');
    const logs: string[] = [];
    const res = await prepareSpeechCommands({
      cacheDir,
      url: `${base}/speech_commands_v0.02.tar.gz`,
      expectedSha256: archive.sha256,
      words: ['yes'],
      log: (m) => logs.push(m),
    });
    expect(res.root).toBe(join(cacheDir, 'speech_commands_v0.02'));
    expect(res.extracted).toBe(true);
    const top = readdirSync(res.root).sort();
    expect(top).toEqual([EXTRACT_MARKER, '_background_noise_', 'testing_list.txt', 'validation_list.txt', 'yes']);
    expect(readdirSync(join(res.root, 'yes')).sort()).toEqual(['aaaa1111_nohash_0.wav', 'bbbb2222_nohash_0.wav']);
    // Same request again: nothing to do, no HTTP request.
    const before = seen.length;
    const again = await prepareSpeechCommands({
      cacheDir,
      url: `${base}/speech_commands_v0.02.tar.gz`,
      expectedSha256: archive.sha256,
      words: ['yes'],
    });
    expect(again.extracted).toBe(false);
    expect(seen.length).toBe(before);
    // A larger subset extracts the missing word from the kept archive, still no request.
    const more = await prepareSpeechCommands({
      cacheDir,
      url: `${base}/speech_commands_v0.02.tar.gz`,
      expectedSha256: archive.sha256,
      words: ['yes', 'no'],
    });
    expect(more.extracted).toBe(true);
    expect(seen.length).toBe(before);
    expect(existsSync(join(res.root, 'no', 'aaaa1111_nohash_0.wav'))).toBe(true);
    expect(existsSync(join(res.root, 'house'))).toBe(false);
  });

  it('extracts everything without a word list and warns when no checksum is configured', async () => {
    const logs: string[] = [];
    const res = await prepareSpeechCommands({
      cacheDir: join(dir, 'all'),
      url: `${base}/sc_all.tar.gz`,
      expectedSha256: null,
      log: (m) => logs.push(m),
    });
    expect(readdirSync(res.root)).toContain('house');
    expect(logs.some((l) => /no expected SHA-256/.test(l))).toBe(true);
    expect(await extractSpeechCommands({ archive: archive.archive, outDir: res.root, words: ['no'] })).toBe(false);
  });
});
