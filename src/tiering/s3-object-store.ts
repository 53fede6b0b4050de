/**
 * tiering/: an ObjectStore on S3 (or any S3-compatible server: MinIO, s3rver) through
 * @aws-sdk/client-s3. Path-style addressing, keys under a prefix, multipart upload above a
 * threshold, ranged GETs, a CRC-32 of the whole object in its metadata (verified on whole
 * reads), and retries with exponential backoff bounded by a total time; when that runs out
 * the caller gets DbError 58030 naming the object and the last error.
 */
import { crc32 } from 'node:zlib';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand,
  DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand,
  S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { DbError, SqlState } from '../errors/index.ts';
import type { ObjectStore } from './object-store.ts';

export interface S3StoreOptions {
  /** e.g. http://127.0.0.1:4568; undefined = AWS itself (region endpoint). */
  endpoint?: string;
  bucket: string;
  /** Key prefix without a trailing slash ('' = bucket root). */
  prefix?: string;
  /** Default: AWS_REGION / AWS_DEFAULT_REGION, else us-east-1. */
  region?: string;
  /** Objects at least this large go up in parts (default 16 MiB). */
  multipartThreshold?: number;
  /** Part size of a multipart upload (default 8 MiB; S3's minimum is 5 MiB). */
  partSize?: number;
  /** Time one request may take before it is aborted and retried (default 5 s, plus 1 s per 8 MiB). */
  attemptTimeoutMs?: number;
  /** Total time one operation may spend over its retries before 58030 (default 10 s). */
  totalTimeoutMs?: number;
  /** Environment for credentials and region (default process.env). */
  env?: NodeJS.ProcessEnv;
}

const CRC_META = 'tessera-crc32';

/** Error codes that mean "no such object" (not retried). */
function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.Code === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

function notFound(key: string): Error {
  return Object.assign(new Error(`object ${key} does not exist`), { code: 'ENOENT' });
}

function message(err: unknown): string {
  if (err instanceof Error) return `${err.name === 'Error' ? '' : `${err.name}: `}${err.message || (err as { code?: string }).code || ''}`;
  return String(err);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class S3ObjectStore implements ObjectStore {
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  private readonly multipartThreshold: number;
  private readonly partSize: number;
  private readonly attemptTimeoutMs: number;
  readonly totalTimeoutMs: number;
  /** Requests sent (each attempt counts), for stats and tests. */
  requests = 0;

  constructor(readonly opts: S3StoreOptions) {
    const env = opts.env ?? process.env;
    this.bucket = opts.bucket;
    this.prefix = (opts.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.multipartThreshold = opts.multipartThreshold ?? 16 * 1024 * 1024;
    this.partSize = Math.max(5 * 1024 * 1024, opts.partSize ?? 8 * 1024 * 1024);
    this.attemptTimeoutMs = opts.attemptTimeoutMs ?? 5000;
    this.totalTimeoutMs = opts.totalTimeoutMs ?? 10_000;
    const explicitKeys = env.AWS_ACCESS_KEY_ID !== undefined && env.AWS_ACCESS_KEY_ID !== '';
    this.client = new S3Client({
      endpoint: opts.endpoint,
      forcePathStyle: true,
      region: opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      maxAttempts: 1, // retries are ours (bounded total time)
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // A custom endpoint without AWS_* keys: s3rver's/MinIO-dev-style fixed keys; AWS itself: the SDK's default chain.
      ...(explicitKeys
        ? { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '', sessionToken: env.AWS_SESSION_TOKEN } }
        : opts.endpoint !== undefined ? { credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } } : {}),
    });
  }

  /** Where objects go, for logs and errors. */
  get describe(): string {
    return `s3://${this.bucket}/${this.prefix}${this.opts.endpoint ? ` at ${this.opts.endpoint}` : ''}`;
  }

  private keyOf(key: string): string {
    return this.prefix === '' ? key : `${this.prefix}/${key}`;
  }

  /**
   * Runs `fn` with a per-attempt abort signal, retrying failures (not "not found") with
   * exponential backoff and jitter until `totalMs` has passed; then 58030.
   */
  private async retry<T>(what: string, bytes: number, fn: (signal: AbortSignal) => Promise<T>, totalMs = this.totalTimeoutMs): Promise<T> {
    const deadline = Date.now() + totalMs;
    const perAttempt = this.attemptTimeoutMs + Math.ceil(bytes / (8 * 1024 * 1024)) * 1000;
    let lastErr: unknown;
    for (let attempt = 0; ; attempt++) {
      const ac = new AbortController();
      const left = deadline - Date.now();
      const timer = setTimeout(() => ac.abort(new Error(`timed out after ${Math.min(perAttempt, left)} ms`)), Math.max(1, Math.min(perAttempt, left)));
      try {
        this.requests++;
        return await fn(ac.signal);
      } catch (err) {
        if (isNotFound(err)) throw err;
        if (err instanceof DbError) throw err;
        lastErr = ac.signal.aborted ? ac.signal.reason : err;
      } finally {
        clearTimeout(timer);
      }
      const backoff = Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2);
      if (Date.now() + backoff >= deadline) {
        throw new DbError(SqlState.IoError, `could not ${what} in object storage (${this.describe}): ${message(lastErr)}`, {
          detail: `gave up after ${attempt + 1} attempts in ${totalMs} ms`,
          hint: 'Check that the S3 endpoint is reachable; data cached locally stays readable.',
        });
      }
      await sleep(backoff);
    }
  }

  /** Creates the bucket when it does not exist (S3-compatible dev servers; on AWS, create it beforehand). */
  async ensureBucket(): Promise<void> {
    await this.retry(`reach bucket "${this.bucket}"`, 0, async (abortSignal) => {
      try {
        await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }), { abortSignal });
      }
    });
  }

  /** Uploads with the whole-object CRC-32 in metadata; multipart above the threshold. `totalMs` overrides the retry budget. */
  async put(key: string, data: Uint8Array, totalMs?: number): Promise<void> {
    const crc = crc32(data).toString(16).padStart(8, '0');
    const Key = this.keyOf(key);
    if (data.length < this.multipartThreshold) {
      await this.retry(`upload "${key}"`, data.length, (abortSignal) =>
        this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: data, ContentLength: data.length, Metadata: { [CRC_META]: crc } }), { abortSignal }),
      totalMs);
      return;
    }
    await this.retry(`upload "${key}"`, data.length, async (abortSignal) => {
      const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key, Metadata: { [CRC_META]: crc } }), { abortSignal });
      try {
        const parts: { ETag: string; PartNumber: number }[] = [];
        for (let off = 0, n = 1; off < data.length; off += this.partSize, n++) {
          const body = data.subarray(off, Math.min(data.length, off + this.partSize));
          const r = await this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key, UploadId, PartNumber: n, Body: body, ContentLength: body.length }), { abortSignal });
          parts.push({ ETag: r.ETag!, PartNumber: n });
        }
        await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId, MultipartUpload: { Parts: parts } }), { abortSignal });
      } catch (err) {
        this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId })).catch(() => undefined);
        throw err;
      }
    }, totalMs);
  }

  /** The whole object, its CRC-32 checked against the metadata written by put (XX001 on mismatch). */
  async get(key: string): Promise<Buffer> {
    try {
      return await this.retry(`read "${key}"`, 0, async (abortSignal) => {
        const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }), { abortSignal });
        const buf = Buffer.from(await r.Body!.transformToByteArray());
        const want = r.Metadata?.[CRC_META];
        if (want !== undefined && parseInt(want, 16) !== crc32(buf)) {
          throw new DbError(SqlState.DataCorrupted, `object "${key}" in object storage fails its checksum`, {
            detail: `CRC-32 ${crc32(buf).toString(16).padStart(8, '0')}, metadata says ${want}; ${buf.length} bytes`,
          });
        }
        return buf;
      });
    } catch (err) {
      if (isNotFound(err)) throw notFound(key);
      throw err;
    }
  }

  /** `length` bytes from `offset` with a ranged GET; a short answer is an error (contents are checked by the file formats' CRCs). */
  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    if (length === 0) return Buffer.alloc(0);
    try {
      return await this.retry(`read "${key}"`, length, async (abortSignal) => {
        const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key), Range: `bytes=${offset}-${offset + length - 1}` }), { abortSignal });
        const buf = Buffer.from(await r.Body!.transformToByteArray());
        if (buf.length !== length) throw Object.assign(new Error(`short read of ${key} at ${offset}: ${buf.length} of ${length} bytes`), { code: 'ESHORT' });
        return buf;
      });
    } catch (err) {
      if (isNotFound(err)) throw notFound(key);
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.retry(`delete "${key}"`, 0, (abortSignal) => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }), { abortSignal }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const strip = this.prefix === '' ? 0 : this.prefix.length + 1;
    let token: string | undefined;
    do {
      const r = await this.retry(`list "${prefix}"`, 0, (abortSignal) =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.keyOf(prefix), ContinuationToken: token }), { abortSignal }));
      for (const o of r.Contents ?? []) if (o.Key !== undefined) out.push(o.Key.slice(strip));
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token !== undefined);
    return out.sort();
  }

  async size(key: string): Promise<number> {
    try {
      const r = await this.retry(`stat "${key}"`, 0, (abortSignal) => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }), { abortSignal }));
      return r.ContentLength ?? 0;
    } catch (err) {
      if (isNotFound(err)) throw notFound(key);
      throw err;
    }
  }

  close(): void {
    this.client.destroy();
  }
}
