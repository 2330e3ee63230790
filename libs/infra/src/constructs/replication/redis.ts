import { ORDINAL_FROM_POD_NAME, identityEnv, type ReplicationContext, type ReplicationPlan } from './plan.js';

/**
 * The pod at the primary ordinal is the master; the others start with `replicaof` it and are read-only
 * (Redis's default for replicas). Settings go to redis-server on stdin, so the password is on no command
 * line. AOF persistence and requirepass are set here because the official image reads no environment.
 */
export function redisPlan(context: ReplicationContext): ReplicationPlan {
  const { service } = context;
  const dir = service.storage?.mountPath ?? '/data';
  const script = [
    'set -eu',
    ORDINAL_FROM_POD_NAME,
    // Redis config values in double quotes, with \ and " escaped.
    'quote() { printf \'"%s"\' "$(printf \'%s\' "$1" | sed \'s/\\\\/\\\\\\\\/g; s/"/\\\\"/g\')"; }',
    'follow=""',
    `if [ "$ordinal" != "$PRIMARY_ORDINAL" ]; then follow="replicaof $PRIMARY_HOST ${service.port}"; fi`,
    'exec redis-server - <<EOF',
    `port ${service.port}`,
    `dir ${dir}`,
    'appendonly yes',
    'requirepass $(quote "$REDIS_PASSWORD")',
    'masterauth $(quote "$REDIS_PASSWORD")',
    '$follow',
    'EOF',
    '',
  ].join('\n');
  return {
    engine: 'redis',
    mode: 'primary',
    peerPorts: [service.port],
    extraPorts: [],
    command: ['sh', '-c', script],
    env: identityEnv(context),
    volumeMounts: [],
    volumes: [],
    initContainers: [],
    files: {},
  };
}
