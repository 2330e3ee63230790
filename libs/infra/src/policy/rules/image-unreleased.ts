import { UNRELEASED_TAG } from '../../images.js';
import { violationAt } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';
import { imagesOf } from './images-common.js';

/** Render mode: a synth without a release shows the shape of the infrastructure but is not deployable. */
export const imageUnreleasedRule: PolicyRule = {
  id: 'CIOS-IMG-002',
  title: 'Images come from a release',
  severity: 'warning',
  reason: 'Without a release the synth renders `<repository>:unreleased`, a tag no registry holds: fine for review, never for prod.',
  fix: 'Pass a release (synthEnvironment({ release }) or --release release.json) naming an image for every service.',
  check({ model, environment }) {
    const out: RuleViolation[] = [];
    for (const w of model.workloads) {
      for (const image of imagesOf(w)) {
        if (image.parsed?.tag === UNRELEASED_TAG && !image.parsed.digest) {
          out.push({
            ...violationAt(w, `container ${image.container}: no release names an image, rendered "${image.ref}"`),
            severity: environment.kind === 'prod' ? 'error' : 'warning',
          });
        }
      }
    }
    return out;
  },
};
