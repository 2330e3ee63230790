import type { Tree } from '@nx/devkit';
import { importWorkspacePackage } from '../../utils/workspace-import.js';
export default async function serviceGenerator(tree: Tree, options: { name: string }): Promise<void> {
  const spec = await importWorkspacePackage<typeof import('@cios/platform-spec')>('@cios/platform-spec', tree.root);
  const kb = await importWorkspacePackage<typeof import('@cios/knowledge-base')>('@cios/knowledge-base', tree.root);
  tree.write(`tmp-${options.name}.txt`, spec.Tier.options.join(',') + kb.KB_FILE_NAME + JSON.stringify(spec.parseSpec(spec.Tier, 'core', 'x')));
}
