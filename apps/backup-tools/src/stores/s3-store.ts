import { createReadStream, createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { CliError } from '../errors.js';
import type { StoredObject } from '../retention.js';
import type { ObjectStore } from './object-store.js';

export interface S3StoreOptions {
  readonly bucket: string;
  /** Ends in "/" or is empty. */
  readonly prefix: string;
  readonly region: string;
  readonly endpoint?: string;
  /** Absent: the SDK's default chain (web identity, instance role). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Files larger than this go up in parts: a single PUT stops at 5 GiB. */
  readonly partSize?: number;
}

const DEFAULT_PART_SIZE = 64 * 1024 * 1024;

export class S3Store implements ObjectStore {
  private readonly client: S3Client;
  private readonly partSize: number;

  constructor(private readonly options: S3StoreOptions) {
    this.partSize = options.partSize ?? DEFAULT_PART_SIZE;
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
      ...(options.credentials ? { credentials: { ...options.credentials } } : {}),
      // Checksums only when the operation requires them: S3-compatible stores differ in what they accept.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** Every S3 failure names the object or prefix and the SDK's error name (AccessDenied, NoSuchBucket…). */
  private async described<T>(what: string, where: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      const e = error as Error;
      throw new CliError(`S3 ${what} ${where}: ${e.name}: ${e.message}`);
    }
  }

  private key(name: string): string {
    return `${this.options.prefix}${name}`;
  }

  url(name: string): string {
    return `s3://${this.options.bucket}/${this.key(name)}`;
  }

  putFile(name: string, path: string): Promise<void> {
    return this.described('upload', this.url(name), () => this.doPutFile(name, path));
  }

  private async doPutFile(name: string, path: string): Promise<void> {
    const size = (await stat(path)).size;
    if (size <= this.partSize) {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.options.bucket, Key: this.key(name), Body: createReadStream(path), ContentLength: size }),
      );
      return;
    }
    await this.putMultipart(name, path, size);
  }

  private async putMultipart(name: string, path: string, size: number): Promise<void> {
    const { bucket } = this.options;
    const key = this.key(name);
    const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const uploadId = created.UploadId;
    if (!uploadId) throw new Error(`S3 gave no upload id for ${this.url(name)}`);
    const handle = await open(path, 'r');
    try {
      const parts: { ETag: string; PartNumber: number }[] = [];
      for (let offset = 0, partNumber = 1; offset < size; offset += this.partSize, partNumber++) {
        const length = Math.min(this.partSize, size - offset);
        const buffer = Buffer.alloc(length);
        await handle.read(buffer, 0, length, offset);
        const part = await this.client.send(
          new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: buffer, ContentLength: length }),
        );
        parts.push({ ETag: part.ETag ?? '', PartNumber: partNumber });
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
      );
    } catch (error) {
      // An abandoned upload is billed storage that no listing shows: abort it.
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
      throw error;
    } finally {
      await handle.close();
    }
  }

  putText(name: string, text: string): Promise<void> {
    return this.described('upload', this.url(name), () => this.doPutText(name, text));
  }

  private async doPutText(name: string, text: string): Promise<void> {
    const body = Buffer.from(text, 'utf8');
    await this.client.send(
      new PutObjectCommand({ Bucket: this.options.bucket, Key: this.key(name), Body: body, ContentLength: body.length, ContentType: 'application/json' }),
    );
  }

  getFile(name: string, path: string): Promise<void> {
    return this.described('download', this.url(name), () => this.doGetFile(name, path));
  }

  private async doGetFile(name: string, path: string): Promise<void> {
    const response = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(name) }));
    if (!(response.Body instanceof Readable)) throw new Error(`S3 returned no body for ${this.url(name)}`);
    await pipeline(response.Body, createWriteStream(path, { mode: 0o600 }));
  }

  getText(name: string): Promise<string> {
    return this.described('download', this.url(name), () => this.doGetText(name));
  }

  private async doGetText(name: string): Promise<string> {
    const response = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(name) }));
    if (!response.Body) throw new Error(`S3 returned no body for ${this.url(name)}`);
    return response.Body.transformToString('utf8');
  }

  list(): Promise<StoredObject[]> {
    return this.described('list', this.url(''), () => this.doList());
  }

  private async doList(): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    let token: string | undefined;
    do {
      // Delimiter "/": only names directly under the prefix, never a deeper prefix's objects.
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: this.options.prefix, Delimiter: '/', ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key?.startsWith(this.options.prefix)) continue;
        out.push({ name: o.Key.slice(this.options.prefix.length), size: o.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  delete(names: readonly string[]): Promise<void> {
    return this.described('delete under', this.url(''), () => this.doDelete(names));
  }

  private async doDelete(names: readonly string[]): Promise<void> {
    for (let i = 0; i < names.length; i += 1000) {
      const batch = names.slice(i, i + 1000);
      const result = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.options.bucket, Delete: { Objects: batch.map((n) => ({ Key: this.key(n) })), Quiet: true } }),
      );
      if (result.Errors && result.Errors.length > 0) {
        throw new Error(`S3 refused to delete ${result.Errors.map((e) => `${e.Key}: ${e.Code}`).join(', ')}`);
      }
    }
  }
}
