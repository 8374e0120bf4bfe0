/**
 * Resumable HTTP(S) download with SHA-256 verification.
 *
 * Bytes go to `<dest>.part`; a new attempt asks for `Range: bytes=<size of .part>-` and appends
 * on `206 Partial Content`, or starts over when the server answers `200` (Range ignored). Only a
 * verified file is renamed to `<dest>`, so `<dest>` existing means "complete".
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, statSync, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import http from 'node:http';
import https from 'node:https';
import { NwaveError } from '@nwave/runtime';

/** A failed download: HTTP status, network error or checksum mismatch. */
export class DownloadError extends NwaveError {
  /** `true` when a new attempt may succeed (network drop, 5xx). */
  readonly retryable: boolean;
  constructor(message: string, context: Record<string, unknown>, retryable = false) {
    super(message, context);
    this.retryable = retryable;
  }
}

export interface DownloadProgress {
  /** Bytes on disk so far, resumed bytes included. */
  receivedBytes: number;
  /** Full size when the server says it, else `undefined`. */
  totalBytes: number | undefined;
}

export interface DownloadOptions {
  url: string;
  /** Final path; bytes are written to `<dest>.part` until verified. */
  dest: string;
  /** Lowercase hex SHA-256 of the whole file; without it the check is skipped with a warning. */
  expectedSha256?: string;
  onProgress?: (p: DownloadProgress) => void;
  /** Extra attempts after a retryable failure, each resuming. @defaultValue 5 */
  retries?: number;
  /** Pause before a retry, in ms (doubles each time). @defaultValue 1000 */
  retryDelayMs?: number;
  signal?: AbortSignal;
  /** Warnings and retry notices. @defaultValue console.warn */
  log?: (msg: string) => void;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  sha256: string;
  /** `true` if `<dest>` already existed and nothing was fetched. */
  cached: boolean;
  /** Number of HTTP requests made (1 = no resume needed). */
  requests: number;
}

/** SHA-256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * Downloads `url` to `dest`, resuming `<dest>.part`, then verifies the checksum.
 * @throws DownloadError on an HTTP error, a network error after all retries, or a checksum
 *   mismatch (the bad `.part` is deleted: resuming it could never succeed).
 */
export async function downloadResumable(options: DownloadOptions): Promise<DownloadResult> {
  const log = options.log ?? ((m: string) => console.warn(m));
  const expected = options.expectedSha256?.toLowerCase();
  const part = `${options.dest}.part`;
  if (existsSync(options.dest)) {
    const sha256 = await sha256File(options.dest);
    if (expected && sha256 !== expected) {
      throw new DownloadError(`checksum mismatch for existing ${options.dest}: expected ${expected}, got ${sha256}`, {
        file: options.dest,
        expected,
        value: sha256,
      });
    }
    return { path: options.dest, bytes: statSync(options.dest).size, sha256, cached: true, requests: 0 };
  }
  await mkdir(dirname(options.dest), { recursive: true });
  const retries = options.retries ?? 5;
  let delay = options.retryDelayMs ?? 1000;
  let requests = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      requests++;
      await fetchOnce(options.url, part, options, 0);
      break;
    } catch (err) {
      const retryable = err instanceof DownloadError && err.retryable;
      if (!retryable || attempt >= retries || options.signal?.aborted) throw err;
      const have = existsSync(part) ? statSync(part).size : 0;
      log(`download of ${options.url} interrupted at ${have} bytes (${(err as Error).message}); resuming (${attempt + 1}/${retries})`);
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
  }
  const sha256 = await sha256File(part);
  if (!expected) {
    log(`no expected SHA-256 configured for ${options.url}; skipping verification (got ${sha256})`);
  } else if (sha256 !== expected) {
    await rm(part, { force: true });
    throw new DownloadError(`checksum mismatch for ${options.url}: expected ${expected}, got ${sha256}`, {
      file: options.dest,
      expected,
      value: sha256,
    });
  }
  await rename(part, options.dest);
  return { path: options.dest, bytes: statSync(options.dest).size, sha256, cached: false, requests };
}

/** One request, following up to 5 redirects; resolves when `.part` holds the whole body. */
async function fetchOnce(url: string, part: string, options: DownloadOptions, redirects: number): Promise<void> {
  const start = existsSync(part) ? statSync(part).size : 0;
  const res = await request(url, start, options.signal);
  const status = res.statusCode ?? 0;
  if (status >= 300 && status < 400 && res.headers.location) {
    res.resume();
    if (redirects >= 5) throw new DownloadError(`too many redirects for ${url}`, { value: url });
    return fetchOnce(new URL(res.headers.location, url).toString(), part, options, redirects + 1);
  }
  let flags: 'a' | 'w';
  let total: number | undefined;
  const length = res.headers['content-length'] ? Number(res.headers['content-length']) : undefined;
  if (status === 206) {
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''));
    if (!m || Number(m[1]) !== start) {
      res.resume();
      await truncate(part, 0); // the server resumed elsewhere: our bytes cannot be trusted to line up
      throw new DownloadError(`bad Content-Range "${res.headers['content-range']}" for a resume at ${start}`, { value: url }, true);
    }
    flags = 'a';
    total = m[3] === '*' ? undefined : Number(m[3]);
  } else if (status === 200) {
    if (start > 0) options.log?.(`server ignored the Range request for ${url}; starting over`);
    flags = 'w';
    total = length;
  } else if (status === 416 && start > 0) {
    res.resume();
    const m = /^bytes \*\/(\d+)$/.exec(String(res.headers['content-range'] ?? ''));
    if (m && Number(m[1]) === start) return; // .part was already complete
    await truncate(part, 0);
    throw new DownloadError(`range not satisfiable for ${url} at ${start}; restarting`, { value: url }, true);
  } else {
    res.resume();
    throw new DownloadError(`HTTP ${status} for ${url}`, { value: url, expected: '200 or 206', status }, status >= 500);
  }
  let received = flags === 'a' ? start : 0;
  const failure = await writeBody(res, createWriteStream(part, { flags }), (n) => {
    received += n;
    options.onProgress?.({ receivedBytes: received, totalBytes: total });
  });
  if (failure) {
    if (options.signal?.aborted) throw options.signal.reason ?? failure;
    throw new DownloadError(`connection lost while downloading ${url} at ${received} bytes: ${failure.message}`, { value: url }, true);
  }
  const expectedEnd = total ?? (length !== undefined ? (flags === 'a' ? start : 0) + length : undefined);
  if (expectedEnd !== undefined && received !== expectedEnd) {
    throw new DownloadError(`body of ${url} ended early at ${received} of ${expectedEnd} bytes`, { value: url }, true);
  }
}

/**
 * Copies the body to the file. On a dropped connection the bytes already received are still
 * flushed to disk (a `pipeline` would destroy the file stream and lose them), so the next
 * attempt resumes from everything we got. Resolves with the network error, if any.
 */
function writeBody(res: http.IncomingMessage, file: WriteStream, onBytes: (n: number) => void): Promise<Error | undefined> {
  return new Promise((resolve, reject) => {
    let failure: Error | undefined;
    let ended = false;
    const finish = (): void => {
      if (ended) return;
      ended = true;
      file.end();
    };
    res.on('data', (chunk: Buffer) => {
      onBytes(chunk.length);
      if (!file.write(chunk)) {
        res.pause();
        file.once('drain', () => res.resume());
      }
    });
    res.on('end', finish);
    res.on('error', (err) => {
      failure ??= err;
      finish();
    });
    res.on('close', () => {
      if (!res.complete) failure ??= new Error('connection closed before the end of the body');
      finish();
    });
    file.on('finish', () => resolve(failure));
    file.on('error', reject);
  });
}

function request(url: string, start: number, signal: AbortSignal | undefined): Promise<http.IncomingMessage> {
  const lib = url.startsWith('https:') ? https : http;
  const headers: Record<string, string> = { 'user-agent': 'nwave-ts' };
  if (start > 0) headers.range = `bytes=${start}-`;
  return new Promise((resolve, reject) => {
    const req = lib.get(url, { headers, signal }, resolve);
    req.on('error', (err) => {
      reject(signal?.aborted ? err : new DownloadError(`request to ${url} failed: ${err.message}`, { value: url }, true));
    });
  });
}
