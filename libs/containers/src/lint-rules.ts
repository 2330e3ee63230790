import { execForm, keyValuePairs } from './dockerfile-parser.js';
import { describeBase, finalStage, imageOf, runText, type DockerfileRule, type RuleHit } from './lint-context.js';
import { secretKind } from './secret-values.js';

export const SYNTAX_RULE_ID = 'CIOS-DF-000';
export const SUPPRESSION_RULE_ID = 'CIOS-DF-100';

const syntax: DockerfileRule = {
  id: SYNTAX_RULE_ID,
  title: 'Dockerfile must parse',
  severity: 'error',
  reason: 'A file the linter cannot read is a file no rule has checked, and the builder would reject it anyway.',
  fix: 'Correct the instruction named in the message (a known keyword, a closed heredoc, a FROM first).',
  check({ parsed, stages }) {
    const hits: RuleHit[] = parsed.problems.map((p) => ({ line: p.line, message: p.message }));
    const first = parsed.instructions.find((i) => i.keyword !== 'ARG');
    if (stages.length === 0) hits.push({ line: 1, message: 'the Dockerfile has no FROM instruction' });
    else if (first && first.keyword !== 'FROM') {
      hits.push({ line: first.line, message: `${first.keyword} comes before the first FROM; only ARG may` });
    }
    return hits;
  },
};

const pinnedByDigest: DockerfileRule = {
  id: 'CIOS-DF-001',
  title: 'Base image pinned by digest',
  severity: 'error',
  reason:
    'A tag can be moved to other content at any time; only a digest makes the build reproducible and the image auditable. Production refuses images that are not pinned.',
  fix: 'Write the base as repository:tag@sha256:<digest> (skopeo inspect --format "{{.Digest}}" docker://repository:tag gives it), directly or as the ARG default.',
  check(context) {
    const hits: RuleHit[] = [];
    for (const stage of context.stages) {
      if (stage.internal) continue;
      if (stage.unresolved.length > 0) {
        hits.push({
          line: stage.from.line,
          message: `base image "${stage.image}" uses ARG ${stage.unresolved.join(', ')} without a default, so its pin cannot be checked`,
        });
        continue;
      }
      const ref = imageOf(stage);
      if (!ref) {
        hits.push({ line: stage.from.line, message: `${describeBase(stage)} is not an image reference` });
      } else if (!ref.digest && ref.tag && ref.tag !== 'latest') {
        hits.push({
          line: stage.from.line,
          message: `base image ${describeBase(stage)} is pinned by tag only${context.options.prod ? ' (an error for production images)' : ''}`,
          severity: context.options.prod ? 'error' : 'warning',
        });
      }
    }
    return hits;
  },
};

const noLatest: DockerfileRule = {
  id: 'CIOS-DF-002',
  title: 'No "latest" base image',
  severity: 'error',
  reason: '"latest" (written or implied by a missing tag) names whatever was pushed last: two builds of one commit get different bases.',
  fix: 'Name a version tag and its digest, e.g. node:20-bookworm-slim@sha256:….',
  check(context) {
    const hits: RuleHit[] = [];
    for (const stage of context.stages) {
      if (stage.internal || stage.unresolved.length > 0) continue;
      const ref = imageOf(stage);
      if (!ref) continue;
      if (ref.tag === 'latest') {
        hits.push({
          line: stage.from.line,
          message: `base image ${describeBase(stage)} uses the "latest" tag`,
          ...(ref.digest ? { severity: 'warning' as const } : {}),
        });
      } else if (!ref.tag && !ref.digest) {
        hits.push({ line: stage.from.line, message: `base image ${describeBase(stage)} has no tag, which means "latest"` });
      }
    }
    return hits;
  },
};

const nonRootUser: DockerfileRule = {
  id: 'CIOS-DF-003',
  title: 'Runs as a numeric non-root USER',
  severity: 'error',
  reason:
    'Kubernetes runAsNonRoot can only verify a numeric UID, and a container running as root turns any code execution into root in the container.',
  fix: 'End the final stage with USER <uid> (numeric, not 0), the runAsUser of the service spec (10001 by default).',
  check(context) {
    const stage = finalStage(context);
    if (!stage) return [];
    const users = stage.instructions.filter((i) => i.keyword === 'USER');
    const last = users[users.length - 1];
    if (!last) {
      return [{ line: stage.from.line, message: 'the final stage sets no USER, so the container runs as the base image\'s user (often root)' }];
    }
    const user = (last.body.split(':')[0] ?? '').trim();
    if (user === 'root' || /^0+$/.test(user)) return [{ line: last.line, message: `USER ${last.body} runs the container as root` }];
    if (!/^\d+$/.test(user)) {
      return [{ line: last.line, message: `USER ${last.body} is a name; Kubernetes can only check a numeric UID against runAsNonRoot` }];
    }
    return [];
  },
};

const matchesRunAsUser: DockerfileRule = {
  id: 'CIOS-DF-004',
  title: 'USER equals the service\'s runAsUser',
  severity: 'error',
  reason: 'The pod sets runAsUser from the service spec; an image built for another UID may not read its own files or may fail at start.',
  fix: 'Set the final USER to the runAsUser of the service spec, or change the spec.',
  check(context) {
    const expected = context.options.expectedUser;
    const stage = finalStage(context);
    if (expected === undefined || !stage) return [];
    const users = stage.instructions.filter((i) => i.keyword === 'USER');
    const last = users[users.length - 1];
    const user = (last?.body.split(':')[0] ?? '').trim();
    if (!last || !/^\d+$/.test(user) || Number(user) === expected) return [];
    return [{ line: last.line, message: `USER ${user} differs from the service's runAsUser ${expected}` }];
  },
};

const noAddUrl: DockerfileRule = {
  id: 'CIOS-DF-005',
  title: 'No ADD of remote URLs',
  severity: 'error',
  reason: 'ADD <url> downloads whatever the server returns at build time, unverified and uncached: neither reproducible nor safe.',
  fix: 'Download in a RUN step that checks a SHA-256 (or use COPY for local files).',
  check({ stages }) {
    return stages.flatMap((stage) =>
      stage.instructions
        .filter((i) => i.keyword === 'ADD' && /(^|\s|\[")(https?|ftp):\/\/|(^|\s)git@|\.git(\s|$)/.test(i.body))
        .map((i) => ({ line: i.line, message: `ADD fetches a remote source: ${i.body}` })),
    );
  },
};

const APT_INSTALL = /\b(apt-get|apt)\s+(?:[^;&|\n]*\s)?install\b/;

function aptSegments(text: string): string[] {
  return text.split(/&&|\|\||;|\n/).filter((segment) => APT_INSTALL.test(segment));
}

const aptNoRecommends: DockerfileRule = {
  id: 'CIOS-DF-006',
  title: 'apt-get install with --no-install-recommends',
  severity: 'error',
  reason: 'Recommended packages double the image size and the attack surface for nothing the service asked for.',
  fix: 'Write apt-get install -y --no-install-recommends <packages>.',
  check({ stages }) {
    return stages.flatMap((stage) =>
      stage.instructions
        .filter((i) => i.keyword === 'RUN')
        .filter((i) =>
          aptSegments(runText(i)).some((s) => !/--no-install-recommends|APT::Install-Recommends=(false|0)/.test(s)),
        )
        .map((i) => ({ line: i.line, message: 'apt-get install without --no-install-recommends' })),
    );
  },
};

const aptListsRemoved: DockerfileRule = {
  id: 'CIOS-DF-007',
  title: 'apt lists removed in the same layer',
  severity: 'error',
  reason: 'Package lists left in a layer add tens of megabytes and stale metadata; deleting them in a later layer does not shrink the image.',
  fix: 'End the same RUN with && rm -rf /var/lib/apt/lists/*.',
  check({ stages }) {
    return stages.flatMap((stage) =>
      stage.instructions
        .filter((i) => i.keyword === 'RUN' && aptSegments(runText(i)).length > 0)
        .filter((i) => !/rm\s+-(rf|fr|r)\s+[^;&|\n]*\/var\/lib\/apt\/lists/.test(runText(i)))
        .map((i) => ({ line: i.line, message: 'apt-get install leaves /var/lib/apt/lists in the layer' })),
    );
  },
};

const noSecretValues: DockerfileRule = {
  id: 'CIOS-DF-008',
  title: 'No secret values in ENV or ARG',
  severity: 'error',
  reason: 'ENV and ARG values are stored in the image config and history, readable by anyone who can pull the image.',
  fix: 'Pass credentials at run time from a Kubernetes Secret (or at build time with RUN --mount=type=secret); never a literal. Pointing at a mounted secret file is fine: ENV DB_PASSWORD_FILE=/run/secrets/db-password.',
  check({ parsed }) {
    const hits: RuleHit[] = [];
    for (const instruction of parsed.instructions) {
      if (instruction.keyword !== 'ENV' && instruction.keyword !== 'ARG') continue;
      for (const { key, value } of keyValuePairs(instruction.body, instruction.keyword === 'ENV')) {
        if (value === undefined || value === '' || /^\$\{?[A-Za-z_]\w*\}?$/.test(value)) continue;
        const shape = secretKind(key, value);
        if (shape === undefined) continue;
        hits.push({
          line: instruction.line,
          message: `${instruction.keyword} ${key} has a literal value (not shown) that looks like ${shape}; that is a secret baked into the image`,
        });
      }
    }
    return hits;
  },
};

const copyChown: DockerfileRule = {
  id: 'CIOS-DF-009',
  title: 'COPY --chown instead of chown -R',
  severity: 'error',
  reason: 'chown -R in its own layer copies every file it touches once more, doubling their size in the image.',
  fix: 'Give ownership while copying (COPY --chown=<uid>:<gid>), or better leave files owned by root and read-only.',
  check({ stages }) {
    return stages.flatMap((stage) =>
      stage.instructions
        .filter((i) => i.keyword === 'RUN' && /\bchown\s+(?:[^;&|\n]*\s)?(-R|--recursive|-[a-zA-Z]*R[a-zA-Z]*)\b/.test(runText(i)))
        .map((i) => ({ line: i.line, message: 'RUN chown -R rewrites every file into a new layer' })),
    );
  },
};

const execFormCommand: DockerfileRule = {
  id: 'CIOS-DF-010',
  title: 'CMD and ENTRYPOINT in exec form',
  severity: 'error',
  reason:
    'Shell form runs the process under /bin/sh -c: it does not receive SIGTERM, so Kubernetes kills it after the grace period, and distroless images have no shell at all.',
  fix: 'Write the JSON array form: ENTRYPOINT ["/nodejs/bin/node", "dist/main.js"].',
  check({ stages }) {
    return stages.flatMap((stage) =>
      stage.instructions
        .filter((i) => (i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT') && execForm(i.body) === undefined)
        .map((i) => ({ line: i.line, message: `${i.keyword} is in shell form: ${i.body}` })),
    );
  },
};

const noHealthcheck: DockerfileRule = {
  id: 'CIOS-DF-011',
  title: 'No HEALTHCHECK',
  severity: 'warning',
  reason: 'Kubernetes ignores HEALTHCHECK and probes the service itself; the instruction only adds a process per interval and a second truth.',
  fix: 'Remove HEALTHCHECK and declare health.liveness/readiness in the service spec.',
  check({ parsed }) {
    return parsed.instructions
      .filter((i) => i.keyword === 'HEALTHCHECK' && !/^NONE$/i.test(i.body))
      .map((i) => ({ line: i.line, message: 'HEALTHCHECK in an image that Kubernetes probes' }));
  },
};

/** Every rule, in id order; suppression problems (CIOS-DF-100) are reported by the linter itself. */
export const DOCKERFILE_RULES: readonly DockerfileRule[] = [
  syntax,
  pinnedByDigest,
  noLatest,
  nonRootUser,
  matchesRunAsUser,
  noAddUrl,
  aptNoRecommends,
  aptListsRemoved,
  noSecretValues,
  copyChown,
  execFormCommand,
  noHealthcheck,
];
