import { requiresDigests } from '@cios/platform-spec';
import { UNRELEASED_TAG } from '../../images.js';
import { violationAt } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';
import { imagesOf } from './images-common.js';

export const imageDigestRule: PolicyRule = {
  id: 'CIOS-IMG-003',
  title: 'Images are pinned by digest where the environment requires it (always in prod)',
  severity: 'error',
  reason: 'A tag can be moved to other bytes; only a digest proves prod runs exactly what was tested and scanned.',
  fix: 'Reference images as repository:tag@sha256:<digest> in the release (the CI pipeline records digests after the push).',
  check({ model, environment }) {
    if (!requiresDigests(environment)) return [];
    const out: RuleViolation[] = [];
    for (const w of model.workloads) {
      for (const image of imagesOf(w)) {
        // Unreleased placeholders are CIOS-IMG-002's finding; do not report them twice.
        if (image.parsed && !image.parsed.digest && image.parsed.tag !== UNRELEASED_TAG) {
          out.push(violationAt(w, `container ${image.container}: "${image.ref}" has no digest; ${environment.name} requires digests`));
        }
      }
    }
    return out;
  },
};
