import type { Replication } from '@cios/platform-spec';
import { REPLICATION_CONFIG_MAP_SUFFIX, ORDINAL_FROM_POD_NAME, identityEnv, podHost, type ReplicationContext, type ReplicationPlan } from './plan.js';

type PostgresReplication = Extract<Replication, { engine: 'postgres' }>;

/** Where the passfile lives: a memory-backed emptyDir, so the password never reaches a disk. */
const CREDENTIALS_DIR = '/run/cios-replication';
const PASSFILE = `${CREDENTIALS_DIR}/pgpass`;
const CONFIG_DIR = '/etc/cios-replication';
const INITDB_DIR = '/docker-entrypoint-initdb.d';
const ROLE_SCRIPT = 'create-replication-role.sh';
/**
 * WAL the primary keeps for standbys that fall behind (no replication slots: a slot of a standby gone for
 * good would keep WAL until the primary's volume fills). A standby further behind must be re-cloned (restore.md).
 */
export const WAL_KEEP_SIZE = '2GB';

/**
 * Streams the primary's WAL to hot standbys. An init container clones the primary into an empty volume of a
 * non-primary pod (pg_basebackup, then standby.signal); a volume that already holds data is never touched, so a
 * promoted standby is never demoted by a restart. primary_conninfo reads the password from a passfile, not the
 * command line; the role is created on first initialisation of the primary by the image's initdb hook.
 */
export function postgresPlan(context: ReplicationContext): ReplicationPlan {
  const replication = context.replication as PostgresReplication;
  const { service } = context;
  const { user, secretName, key } = replication.credentials;
  const primaryHost = podHost(context, context.primaryOrdinal);
  const credentials = [
    { name: 'REPLICATION_USER', value: user },
    { name: 'REPLICATION_PASSWORD', valueFrom: { secretKeyRef: { name: secretName, key, optional: false } } },
  ];
  const dataMount = (context.main.volumeMount ?? []) as { name: string; mountPath: string }[];
  const configMap = `${service.name}${REPLICATION_CONFIG_MAP_SUFFIX}`;
  return {
    engine: 'postgres',
    mode: 'primary',
    peerPorts: [service.port],
    extraPorts: [],
    args: [
      'postgres',
      '-c',
      `hba_file=${CONFIG_DIR}/pg_hba.conf`,
      '-c',
      // Ignored unless standby.signal exists, so the same arguments serve the primary and its standbys.
      // $(POD_NAME) is expanded by the kubelet, naming each standby in pg_stat_replication.
      `primary_conninfo=host=${primaryHost} port=${service.port} user=${user} passfile=${PASSFILE} application_name=$(POD_NAME)`,
      '-c',
      `wal_keep_size=${WAL_KEEP_SIZE}`,
    ],
    env: [...identityEnv(context), ...credentials],
    volumeMounts: [
      { name: 'replication-credentials', mountPath: CREDENTIALS_DIR },
      { name: 'replication-config', mountPath: CONFIG_DIR, readOnly: true },
      { name: 'replication-initdb', mountPath: INITDB_DIR, readOnly: true },
    ],
    volumes: [
      { name: 'replication-credentials', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
      { name: 'replication-config', configMap: { name: configMap, defaultMode: '0444', items: [{ key: 'pg_hba.conf', path: 'pg_hba.conf' }] } },
      { name: 'replication-initdb', configMap: { name: configMap, defaultMode: '0555', items: [{ key: ROLE_SCRIPT, path: ROLE_SCRIPT }] } },
    ],
    initContainers: [
      {
        name: 'replication-bootstrap',
        image: context.main.image,
        imagePullPolicy: context.main.imagePullPolicy,
        command: ['sh', '-c', bootstrapScript(service.port)],
        envFrom: context.main.envFrom,
        env: [...identityEnv(context), ...credentials],
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
        securityContext: context.main.securityContext,
        volumeMount: [
          ...dataMount.filter((m) => m.name === 'data' || m.name === 'tmp'),
          { name: 'replication-credentials', mountPath: CREDENTIALS_DIR },
        ],
      },
    ],
    files: { 'pg_hba.conf': hbaConf(user), [ROLE_SCRIPT]: roleScript() },
  };
}

function hbaConf(user: string): string {
  return [
    '# Rendered by @cios/infra. Inside the pod, the socket trusts (the image\'s initdb hooks use it);',
    '# over the network every role needs its password, and only the replication role may stream WAL.',
    '# TYPE  DATABASE     USER          ADDRESS  METHOD',
    'local   all          all                    trust',
    'local   replication  all                    trust',
    `host    replication  ${user.padEnd(13)} all      scram-sha-256`,
    'host    all          all           all      scram-sha-256',
    '',
  ].join('\n');
}

/** Runs once, when the image's entrypoint initialises an empty primary (psql ≥ 15 for \getenv: no password in argv). */
function roleScript(): string {
  return [
    '#!/bin/sh',
    'set -eu',
    'psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<\'SQL\'',
    '\\getenv role REPLICATION_USER',
    '\\getenv password REPLICATION_PASSWORD',
    'CREATE ROLE :"role" WITH REPLICATION LOGIN PASSWORD :\'password\';',
    'SQL',
    '',
  ].join('\n');
}

function bootstrapScript(port: number): string {
  return [
    'set -eu',
    ORDINAL_FROM_POD_NAME,
    // Written on every start, so a rotated Secret takes effect at the next restart. libpq's passfile escapes : and \.
    'escape() { printf \'%s\' "$1" | sed \'s/\\\\/\\\\\\\\/g; s/:/\\\\:/g\'; }',
    'umask 077',
    `printf '*:*:*:%s:%s\\n' "$(escape "$REPLICATION_USER")" "$(escape "$REPLICATION_PASSWORD")" > ${PASSFILE}`,
    'if [ -s "$PGDATA/PG_VERSION" ]; then echo "$POD_NAME: data present, starting from it unchanged"; exit 0; fi',
    'if [ "$ordinal" = "$PRIMARY_ORDINAL" ]; then echo "$POD_NAME: primary with an empty volume, the entrypoint initialises it"; exit 0; fi',
    'if [ -d "$PGDATA" ] && [ -n "$(ls -A "$PGDATA")" ]; then echo "$POD_NAME: $PGDATA holds files but no PG_VERSION; refusing to overwrite them" >&2; exit 1; fi',
    'echo "$POD_NAME: empty volume, cloning the primary $PRIMARY_HOST"',
    'rm -rf "$PGDATA.partial"',
    `PGPASSFILE=${PASSFILE} pg_basebackup --host="$PRIMARY_HOST" --port=${port} --username="$REPLICATION_USER" --no-password --pgdata="$PGDATA.partial" --wal-method=stream --checkpoint=fast`,
    'touch "$PGDATA.partial/standby.signal"',
    'rmdir "$PGDATA" 2>/dev/null || true',
    'mv "$PGDATA.partial" "$PGDATA"',
    '',
  ].join('\n');
}
