export declare const BASE_IMAGE: string;

/** Where the tests' buildah keeps images: CLI environment, buildah global flags, and the storage driver chosen. */
export interface BuildahStorage {
  readonly env: Record<string, string>;
  readonly globals: string[];
  readonly driver: string;
}

export declare function cacheDir(): string;
export declare function testStorage(root: string): BuildahStorage;
export declare function ensureBaseImage(storage: BuildahStorage, root: string, log: (line: string) => void): void;
export declare function clearBuildCache(storage: BuildahStorage): void;
export declare function pinnedBaseImage(storage: BuildahStorage): string;
