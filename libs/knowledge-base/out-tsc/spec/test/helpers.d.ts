export declare const LIB_ROOT: string;
export declare const CLI: string;
export declare const DIST_INDEX: string;
export declare const FIXTURE: string;
export declare const NEURON_KB = "/work/shared/fixtures/neuron-kb.json";
export declare function assertBuilt(): void;
/** A fresh temporary directory holding a copy of `source` as .ai-knowledge-base.json. */
export declare function tempKb(source?: string | object): {
    dir: string;
    file: string;
};
export declare function cleanupTemp(): void;
export interface CliResult {
    code: number;
    stdout: string;
    stderr: string;
}
export declare function runCli(args: readonly string[], options?: {
    cwd?: string;
    env?: Record<string, string>;
}): CliResult;
export declare function runCliAsync(args: readonly string[], options?: {
    cwd?: string;
}): Promise<CliResult>;
export declare function readJson(file: string): Record<string, unknown>;
/** No Node stack trace lines in the output. */
export declare function hasStackTrace(text: string): boolean;
//# sourceMappingURL=helpers.d.ts.map