import { parseJson, writeJson, type Tree } from '@nx/devkit';

/** How nx.json registers this plugin (its `environments` option names the per-environment synth/plan targets). */
export const PLUGIN_ENTRY = '@cios/nx-plugin/plugin';
const NX_JSON = 'nx.json';

interface PluginEntry {
  readonly plugin: string;
  readonly options?: { readonly environments?: unknown };
}

/**
 * Appends an environment to the plugin's `environments` option in nx.json, so the new environment gets its
 * `synth-<env>` and `plan-<env>` targets. Returns whether nx.json changed: without the option the plugin infers
 * one `synth --all`, which covers every catalog environment already, and without the plugin there is nothing to do.
 */
export function addPluginEnvironment(tree: Tree, name: string): boolean {
  const text = tree.read(NX_JSON, 'utf-8');
  if (text === null) return false;
  const updated = withEnvironment(parseJson<Record<string, unknown>>(text), name);
  if (!updated) return false;
  // A one-line edit keeps nx.json as people laid it out; whenever it would not give exactly the updated
  // object (an unusual layout, a second "environments" key), the whole file is written instead.
  const edited = appendToEnvironmentsArray(text, name);
  if (edited !== undefined && JSON.stringify(parseJson(edited)) === JSON.stringify(updated)) tree.write(NX_JSON, edited);
  else writeJson(tree, NX_JSON, updated);
  return true;
}

/** nx.json with `name` appended to the plugin's environments, or undefined when nothing is to change. */
export function withEnvironment(nxJson: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const plugins = nxJson['plugins'];
  if (!Array.isArray(plugins)) return undefined;
  let changed = false;
  const next = plugins.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null || (entry as PluginEntry).plugin !== PLUGIN_ENTRY) return entry;
    const plugin = entry as PluginEntry;
    const environments = plugin.options?.environments;
    if (!Array.isArray(environments) || environments.includes(name)) return entry;
    changed = true;
    return { ...plugin, options: { ...plugin.options, environments: [...environments, name] } };
  });
  return changed ? { ...nxJson, plugins: next } : undefined;
}

function appendToEnvironmentsArray(text: string, name: string): string | undefined {
  const matches = [...text.matchAll(/"environments"\s*:\s*\[([^\]]*)\]/g)];
  const match = matches[0];
  if (matches.length !== 1 || match?.index === undefined) return undefined;
  const items = (match[1] as string).trimEnd();
  const at = match.index + match[0].indexOf('[') + 1 + items.length;
  const separator = items.trim() === '' ? '' : ', ';
  return `${text.slice(0, at)}${separator}${JSON.stringify(name)}${text.slice(at)}`;
}
