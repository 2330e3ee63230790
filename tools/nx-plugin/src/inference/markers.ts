/**
 * What marks a project for the CIOS inferred targets. A project is a folder with a package.json;
 * it is marked by the CIOS command-line tool it ships (its package.json `bin`) or by the image it builds.
 *
 * | marker                                  | targets                |
 * |-----------------------------------------|------------------------|
 * | package.json `bin` has `cios-synth`     | `synth-<env>`, `plan-<env>`, `synth` |
 * | package.json `bin` has `cios-monitoring`| `generate`, `validate` |
 * | a `Dockerfile` next to package.json     | `image`, `image-push`  |
 *
 * The bins are the contract: the targets run exactly the command a person would type, so a target
 * and the CLI can never disagree about flags.
 */
export const STACKS_BIN = 'cios-synth';
export const MONITORING_BIN = 'cios-monitoring';
export const IMAGE_BIN = 'cios-image';
export const DOCKERFILE = 'Dockerfile';

/** The glob createNodesV2 registers: every package.json (for its bins) and every Dockerfile. */
export const MARKER_GLOB = `**/{package.json,${DOCKERFILE}}`;

/** Target names; each can be renamed in nx.json's plugin options (e.g. when a name is taken). */
export interface CiosTargetNames {
  readonly synthTargetName?: string;
  readonly planTargetName?: string;
  readonly generateTargetName?: string;
  readonly validateTargetName?: string;
  readonly imageTargetName?: string;
  readonly imagePushTargetName?: string;
}

/** nx.json's options of `@cios/nx-plugin/plugin`. */
export interface CiosPluginOptions extends CiosTargetNames {
  /**
   * The catalog's environment names, one `synth-<env>` and `plan-<env>` target each. A list in nx.json rather
   * than the catalog itself because inference runs before anything is built and must not load TypeScript;
   * the environment generator appends to it and a test holds it equal to the catalog. Without it, one
   * `synth` covers every environment (`--all`) and `plan` takes `--environment`.
   */
  readonly environments?: readonly string[];
}

export const DEFAULT_OPTIONS: Required<CiosTargetNames> = {
  synthTargetName: 'synth',
  planTargetName: 'plan',
  generateTargetName: 'generate',
  validateTargetName: 'validate',
  imageTargetName: 'image',
  imagePushTargetName: 'image-push',
};
