import { SloPolicy, SpecError, parseSpec, type Platform, type SloPolicyInput } from '@cios/platform-spec';

/**
 * The SLO policy in force: `override` (the CLI's `--policy` file) over the platform spec's `sloPolicy` over the
 * SloPolicy defaults, field by field. A field given replaces the whole field (tiers are one list), so an
 * override of `period` keeps the platform's tiers and an override of `tiers` replaces all of them. The merged
 * policy is validated as one, and errors name `source` (the file the override was read from).
 */
export function effectivePolicy(platform: Platform, override?: SloPolicyInput, source = 'SLO policy'): SloPolicy {
  if (override === undefined) return parseSpec(SloPolicy, platform.sloPolicy ?? {}, "the platform's sloPolicy");
  const input: unknown = override;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SpecError(source, [{ path: '', message: `must be an object of SloPolicy fields, not ${Array.isArray(input) ? 'an array' : JSON.stringify(input)}` }]);
  }
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const label = platform.sloPolicy ? `${source} (applied over the platform's sloPolicy)` : source;
  return parseSpec(SloPolicy, { ...platform.sloPolicy, ...given }, label);
}
