import { violationAt } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';
import { imagesOf } from './images-common.js';

export const imageTagRule: PolicyRule = {
  id: 'CIOS-IMG-001',
  title: 'No image runs as "latest" or without a tag',
  severity: 'error',
  reason: '"latest" and untagged images change under the same name: two pods of one release may run different code, and rollback has nothing to return to.',
  fix: 'Deploy through a release that names every image by an immutable tag and, better, a digest.',
  check({ model }) {
    const out: RuleViolation[] = [];
    for (const w of model.workloads) {
      for (const image of imagesOf(w)) {
        if (!image.parsed) out.push(violationAt(w, `container ${image.container}: "${image.ref}" is not an image reference`));
        else if (!image.parsed.digest && (!image.parsed.tag || image.parsed.tag === 'latest')) {
          out.push(violationAt(w, `container ${image.container}: "${image.ref}" is ${image.parsed.tag ? 'tagged latest' : 'untagged'}`));
        }
      }
    }
    return out;
  },
};
