import { describe, expect, it } from 'vitest';
import { DOCKERFILE_RULES, hasErrors, lintDockerfile, type DockerfileFinding } from '../src/index.js';

const PINNED = 'docker.io/library/node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0';

/** A Dockerfile that breaks nothing; each case changes one thing. */
function good(lines: readonly string[] = []): string {
  return [`FROM ${PINNED}`, 'WORKDIR /app', 'COPY dist ./dist', ...lines, 'USER 10001', 'ENTRYPOINT ["/nodejs/bin/node", "dist/main.js"]', ''].join('\n');
}

function lint(text: string, options: { prod?: boolean; expectedUser?: number; buildArgs?: Record<string, string> } = {}): DockerfileFinding[] {
  return [...lintDockerfile(text, { file: 'svc/Dockerfile', ...options }).findings];
}

function only(findings: DockerfileFinding[]): DockerfileFinding {
  expect(findings.map((f) => `${f.ruleId}@${f.line}`)).toHaveLength(1);
  return findings[0] as DockerfileFinding;
}

describe('each rule fires on a Dockerfile that breaks it', () => {
  it('the baseline breaks no rule', () => {
    expect(lint(good(), { prod: true, expectedUser: 10001 })).toEqual([]);
  });

  it('CIOS-DF-000: unknown instruction, unclosed heredoc, no FROM', () => {
    const unknown = only(lint(good(['RUNN echo hi'])));
    expect(unknown).toMatchObject({ ruleId: 'CIOS-DF-000', line: 4, severity: 'error' });
    expect(unknown.message).toContain('unknown instruction "RUNN"');
    // The unclosed heredoc swallows the rest of the file, USER included.
    const heredoc = only(lint(good(['RUN <<EOF', 'echo hi'])).filter((f) => f.ruleId === 'CIOS-DF-000'));
    expect(heredoc).toMatchObject({ ruleId: 'CIOS-DF-000', line: 4 });
    expect(heredoc.message).toContain('<<EOF is never closed');
    expect(lint('# nothing here\n').map((f) => f.message)).toContain('the Dockerfile has no FROM instruction');
  });

  it('CIOS-DF-001: a base pinned by tag only is a warning outside prod and an error in prod', () => {
    const text = good().replace(PINNED, 'node:20-bookworm-slim');
    const dev = only(lint(text));
    expect(dev).toMatchObject({ ruleId: 'CIOS-DF-001', severity: 'warning', file: 'svc/Dockerfile', line: 1 });
    const prod = only(lint(text, { prod: true }));
    expect(prod).toMatchObject({ ruleId: 'CIOS-DF-001', severity: 'error' });
    expect(prod.message).toContain('pinned by tag only');
    expect(prod.fix).toContain('@sha256:');
  });

  it('CIOS-DF-001 resolves ARG defaults and reports an ARG without one', () => {
    expect(lint(`ARG BASE=${PINNED}\n${good().replace(PINNED, '${BASE}')}`)).toEqual([]);
    const tagOnly = only(lint(`ARG BASE=node:20\n${good().replace(PINNED, '${BASE}')}`, { prod: true }));
    expect(tagOnly).toMatchObject({ ruleId: 'CIOS-DF-001', line: 2, severity: 'error' });
    const unresolved = only(lint(`ARG BASE\n${good().replace(PINNED, '${BASE}')}`));
    expect(unresolved.message).toContain('ARG BASE without a default');
  });

  it('CIOS-DF-001 and CIOS-DF-002 check the base a --build-arg puts in place of the ARG default', () => {
    const text = `ARG BASE_IMAGE=${PINNED}\n${good().replace(PINNED, '${BASE_IMAGE}')}`;
    expect(lint(text, { prod: true })).toEqual([]);
    const latest = only(lint(text, { prod: true, buildArgs: { BASE_IMAGE: 'node:latest' } }));
    expect(latest).toMatchObject({ ruleId: 'CIOS-DF-002', line: 2, severity: 'error' });
    expect(latest.message).toBe('base image "node:latest" (from --build-arg BASE_IMAGE) uses the "latest" tag');
    const tagOnly = only(lint(text, { prod: true, buildArgs: { BASE_IMAGE: 'node:20' } }));
    expect(tagOnly).toMatchObject({ ruleId: 'CIOS-DF-001', severity: 'error' });
    // A digest given the same way passes, and fills an ARG declared without a default.
    expect(lint(text, { prod: true, buildArgs: { BASE_IMAGE: `localhost/base:test@sha256:${'b'.repeat(64)}` } })).toEqual([]);
    expect(lint(`ARG BASE_IMAGE\n${good().replace(PINNED, '${BASE_IMAGE}')}`, { prod: true, buildArgs: { BASE_IMAGE: PINNED } })).toEqual([]);
    // A build arg the file does not declare changes no base, as with the builders.
    expect(lint(good(), { prod: true, buildArgs: { BASE_IMAGE: 'node:latest' } })).toEqual([]);
  });

  it('CIOS-DF-002: latest, written or implied', () => {
    expect(only(lint(good().replace(PINNED, 'node:latest')))).toMatchObject({ ruleId: 'CIOS-DF-002', severity: 'error', line: 1 });
    const implied = only(lint(good().replace(PINNED, 'node')));
    expect(implied).toMatchObject({ ruleId: 'CIOS-DF-002' });
    expect(implied.message).toContain('no tag');
  });

  it('CIOS-DF-002 ignores earlier stages and scratch', () => {
    const text = [`FROM ${PINNED} AS deps`, 'RUN true', 'FROM scratch', 'COPY --from=deps /app /app', 'USER 10001', 'ENTRYPOINT ["/app/x"]'].join('\n');
    expect(lint(text, { prod: true })).toEqual([]);
    const fromStage = [`FROM ${PINNED} AS build`, 'FROM build', 'USER 10001', 'CMD ["x"]'].join('\n');
    expect(lint(fromStage, { prod: true })).toEqual([]);
  });

  it('CIOS-DF-003: no USER, root, or a user name', () => {
    const none = only(lint(good().replace('USER 10001\n', '')));
    expect(none).toMatchObject({ ruleId: 'CIOS-DF-003', line: 1 });
    expect(none.message).toContain('sets no USER');
    expect(only(lint(good().replace('USER 10001', 'USER root'))).message).toContain('as root');
    expect(only(lint(good().replace('USER 10001', 'USER 0:0'))).message).toContain('as root');
    expect(only(lint(good().replace('USER 10001', 'USER node'))).message).toContain('numeric UID');
    // Only the last USER of the final stage counts.
    expect(only(lint(good(['USER 10001', 'RUN true']).replace(/USER 10001\n(ENTRYPOINT)/, 'USER 0\n$1')))).toMatchObject({ ruleId: 'CIOS-DF-003', line: 6 });
    expect(lint([`FROM ${PINNED} AS b`, 'USER 10001', `FROM ${PINNED}`, 'CMD ["x"]'].join('\n')).map((f) => f.ruleId)).toEqual(['CIOS-DF-003']);
  });

  it('CIOS-DF-004: USER must equal the service runAsUser', () => {
    const finding = only(lint(good().replace('USER 10001', 'USER 20000'), { expectedUser: 10001 }));
    expect(finding).toMatchObject({ ruleId: 'CIOS-DF-004', line: 4 });
    expect(finding.message).toBe("USER 20000 differs from the service's runAsUser 10001");
  });

  it('CIOS-DF-005: ADD of a URL', () => {
    const finding = only(lint(good(['ADD https://example.com/tool.tgz /opt/'])));
    expect(finding).toMatchObject({ ruleId: 'CIOS-DF-005', line: 4 });
    expect(lint(good(['ADD vendor.tar /opt/']))).toEqual([]);
  });

  it('CIOS-DF-006 and CIOS-DF-007: apt-get install hygiene', () => {
    const bare = lint(good(['RUN apt-get update && apt-get install -y curl']));
    expect(bare.map((f) => f.ruleId)).toEqual(['CIOS-DF-006', 'CIOS-DF-007']);
    const lists = only(lint(good(['RUN apt-get update && apt-get install -y --no-install-recommends curl'])));
    expect(lists).toMatchObject({ ruleId: 'CIOS-DF-007' });
    const recommends = only(lint(good(['RUN apt-get update \\', '  && apt-get install -y curl \\', '  && rm -rf /var/lib/apt/lists/*'])));
    expect(recommends).toMatchObject({ ruleId: 'CIOS-DF-006', line: 4 });
    expect(lint(good(['RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*']))).toEqual([]);
    // Lists removed in a later layer do not count.
    const later = lint(good(['RUN apt-get update && apt-get install -y --no-install-recommends curl', 'RUN rm -rf /var/lib/apt/lists/*']));
    expect(later.map((f) => f.ruleId)).toEqual(['CIOS-DF-007']);
  });

  it('CIOS-DF-006 reads heredoc bodies', () => {
    const finding = only(lint(good(['RUN <<EOF', 'apt-get update', 'apt-get install -y curl', 'rm -rf /var/lib/apt/lists/*', 'EOF'])));
    expect(finding).toMatchObject({ ruleId: 'CIOS-DF-006', line: 4 });
  });

  it('CIOS-DF-008: secret values in ENV or ARG, never echoing the value', () => {
    const env = only(lint(good(['ENV DATABASE_PASSWORD=hunter2'])));
    expect(env).toMatchObject({ ruleId: 'CIOS-DF-008', line: 4 });
    expect(env.message).not.toContain('hunter2');
    expect(only(lint(good(['ARG GITHUB_TOKEN=ghp_abc'])))).toMatchObject({ ruleId: 'CIOS-DF-008' });
    expect(only(lint(good(['ENV API_KEY sk-live-1'])))).toMatchObject({ ruleId: 'CIOS-DF-008' });
    expect(only(lint(good(['ENV LOG_LEVEL=info client_secret="abc def"'])))).toMatchObject({ ruleId: 'CIOS-DF-008' });
    // By the value's shape, whatever the name.
    const url = only(lint(good(['ENV DATABASE_URL=postgres://u:hunter2@db/app'])));
    expect(url).toMatchObject({ ruleId: 'CIOS-DF-008', message: expect.stringContaining('a URL with a password in it') });
    expect(url.message).not.toContain('hunter2');
    expect(only(lint(good(['ENV AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE'])))).toMatchObject({ ruleId: 'CIOS-DF-008' });
    // References and empty declarations carry no value.
    expect(lint(good(['ARG NPM_TOKEN', 'ENV TOKEN_FILE_PATH=$TOKEN_PATH', 'ENV SECRET_DIR=${SECRET_DIR}', 'ENV PORT=8080']))).toEqual([]);
  });

  it('CIOS-DF-008: a *_FILE, *_PATH or *_DIR holding an absolute path points at a secret and is no secret', () => {
    expect(lint(good(['ENV PASSWORD_FILE=/run/secrets/db-password', 'ENV DB_PASSWORD_FILE=/run/secrets/db']))).toEqual([]);
    expect(lint(good(['ARG GITHUB_TOKEN_PATH=/run/secrets/gh', 'ENV SECRETS_DIR=/run/secrets', 'ENV PUBLIC_KEY_PATH=/etc/keys/pub.pem']))).toEqual([]);
    // The pointer's name with the secret itself in it, or a relative path, is still a secret.
    expect(only(lint(good(['ENV DB_PASSWORD_FILE=hunter2'])))).toMatchObject({ ruleId: 'CIOS-DF-008' });
    expect(only(lint(good(['ENV PASSWORD_FILE=secrets/db-password'])))).toMatchObject({ ruleId: 'CIOS-DF-008' });
    // A pointer name cannot hide a value that has a credential's shape.
    expect(only(lint(good(['ENV KEY_PATH=/sk_live_abcdefghijklmnop'])))).toMatchObject({ message: expect.stringContaining('a Stripe secret key') });
  });

  it('CIOS-DF-008: *_KEY, *_PASS and *_PWD names, and vendor key shapes whatever the name', () => {
    for (const line of ['ENV STRIPE_KEY=abc123', 'ARG SIGNING_KEY=abc123', 'ENV KEY=abc123', 'ENV SMTP_PASS=abc123', 'ENV DB_PWD=abc123', 'ENV GPG_PASSPHRASE=abc', 'ENV PGPASSWORD=abc']) {
      expect(only(lint(good([line]))), line).toMatchObject({ ruleId: 'CIOS-DF-008', message: expect.stringContaining('a secret by its name') });
    }
    const shapes: Record<string, string> = {
      'ENV STRIPE=sk_live_4eC39HqLyjWDarjtT1zdp7dc': 'a Stripe secret key',
      'ENV PAYMENTS=rk_test_4eC39HqLyjWDarjtT1zdp7dc': 'a Stripe secret key',
      'ENV HOOK=whsec_abcdefghijklmnopqrstuvwxyz': 'a Stripe webhook secret',
      'ENV MAPS=AIzaSyA1234567890abcdefghijklmnopqrstuv': 'a Google API key',
      'ARG REGISTRY_AUTH=npm_abcdefghijklmnopqrstuvwxyz0123456789': 'an npm token',
      'ENV CI_JOB=glpat-abcdefghij0123456789': 'a GitLab token',
      'ENV GH=ghp_abcdefghijklmnopqrstuvwxyz0123456789': 'a GitHub token',
      'ENV AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE': 'an AWS access key id',
      'ENV TLS="-----BEGIN RSA PRIVATE KEY-----\\nMIIEpAIBAAKCAQEA"': 'a private key',
    };
    for (const [line, what] of Object.entries(shapes)) {
      const finding = only(lint(good([line])));
      expect(finding.message, line).toContain(what);
      expect(finding.message).not.toContain(line.split('=')[1]?.slice(0, 12));
    }
    // The audit's case: caught by its name and by its value.
    expect(only(lint(good(['ENV STRIPE_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc'])))).toMatchObject({ ruleId: 'CIOS-DF-008', line: 4 });
  });

  it('CIOS-DF-008 keeps identifiers and published values quiet', () => {
    const quiet = [
      'ENV PUBLIC_KEY=ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl',
      'ENV NEXT_PUBLIC_STRIPE_KEY=pk_live_4eC39HqLyjWDarjtT1zdp7dc',
      'ENV CACHE_KEY=v3 SORT_KEY=created_at PARTITION_KEY=tenant',
      'ENV KEYBOARD_LAYOUT=us BYPASS_PROXY=1 NODE_ENV=production PWD_HINT=none',
    ];
    expect(lint(good(quiet))).toEqual([]);
  });

  it('CIOS-DF-009: chown -R layers', () => {
    expect(only(lint(good(['RUN chown -R 10001:0 /app'])))).toMatchObject({ ruleId: 'CIOS-DF-009', line: 4 });
    expect(only(lint(good(['RUN mkdir /data && chown --recursive 10001 /data'])))).toMatchObject({ ruleId: 'CIOS-DF-009' });
    expect(lint(good(['RUN chown 10001 /data']))).toEqual([]);
  });

  it('CIOS-DF-010: shell-form CMD and ENTRYPOINT', () => {
    const entry = only(lint(good().replace('ENTRYPOINT ["/nodejs/bin/node", "dist/main.js"]', 'ENTRYPOINT node dist/main.js')));
    expect(entry).toMatchObject({ ruleId: 'CIOS-DF-010', line: 5 });
    expect(only(lint(good(['CMD npm start'])))).toMatchObject({ ruleId: 'CIOS-DF-010' });
  });

  it('CIOS-DF-011: HEALTHCHECK is a warning', () => {
    const finding = only(lint(good(['HEALTHCHECK CMD ["curl", "-f", "http://localhost/healthz"]'])));
    expect(finding).toMatchObject({ ruleId: 'CIOS-DF-011', severity: 'warning' });
    expect(hasErrors({ findings: [finding] })).toBe(false);
  });

  it('every rule has an id, a reason and a fix, and the ids are unique', () => {
    const ids = DOCKERFILE_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of DOCKERFILE_RULES) {
      expect(rule.id).toMatch(/^CIOS-DF-\d{3}$/);
      expect(rule.reason.length).toBeGreaterThan(20);
      expect(rule.fix.length).toBeGreaterThan(10);
    }
  });
});

describe('suppressions', () => {
  const reason = 'the vendor tool only ships as a tarball and we verify its checksum in the next step';

  it('a suppression with a reason on the line before hides the finding and is reported as suppressed', () => {
    const text = good([`# cios-lint ignore=CIOS-DF-005 reason="${reason}"`, 'ADD https://example.com/tool.tgz /opt/']);
    const report = lintDockerfile(text, { file: 'Dockerfile' });
    expect(report.findings).toEqual([]);
    expect(report.suppressed).toHaveLength(1);
    expect(report.suppressed[0]).toMatchObject({ ruleId: 'CIOS-DF-005', line: 5, suppression: { reason, line: 4, appliesTo: 5 } });
  });

  it('it applies only to the next instruction and the rules it names', () => {
    const text = good([`# cios-lint ignore=CIOS-DF-009 reason="${reason}"`, 'ADD https://example.com/tool.tgz /opt/']);
    expect(lint(text).map((f) => f.ruleId)).toEqual(['CIOS-DF-005']);
    const spaced = good([`# cios-lint ignore=CIOS-DF-005 reason="${reason}"`, '', 'ADD https://example.com/tool.tgz /opt/']);
    expect(lint(spaced).map((f) => f.ruleId).sort()).toEqual(['CIOS-DF-005', 'CIOS-DF-100']);
  });

  it('a suppression without a reason, with a token reason, or naming an unknown rule is itself a finding', () => {
    const noReason = lint(good(['# cios-lint ignore=CIOS-DF-005', 'ADD https://example.com/tool.tgz /opt/']));
    expect(noReason.map((f) => `${f.ruleId}@${f.line}`)).toEqual(['CIOS-DF-100@4', 'CIOS-DF-005@5']);
    expect(noReason[0]?.message).toContain('gives no reason');
    const short = lint(good(['# cios-lint ignore=CIOS-DF-005 reason="ok"', 'ADD https://example.com/tool.tgz /opt/']));
    expect(short[0]?.message).toContain('not a sentence');
    const unknown = lint(good([`# cios-lint ignore=CIOS-DF-999 reason="${reason}"`, 'RUN true']));
    expect(unknown.map((f) => f.ruleId)).toEqual(['CIOS-DF-100']);
    expect(unknown[0]?.message).toContain('CIOS-DF-999');
  });
});
