import type { StoredObject } from '../retention.js';

/** Where backups live: a destination prefix, names relative to it. */
export interface ObjectStore {
  /** Human-readable location of a name, e.g. s3://bucket/prefix/name. */
  url(name: string): string;
  /** Uploads a local file; the object appears whole or not at all. */
  putFile(name: string, path: string): Promise<void>;
  putText(name: string, text: string): Promise<void>;
  /** Downloads an object to a local file. */
  getFile(name: string, path: string): Promise<void>;
  getText(name: string): Promise<string>;
  /** Objects directly under the prefix, by name. */
  list(): Promise<StoredObject[]>;
  delete(names: readonly string[]): Promise<void>;
}
