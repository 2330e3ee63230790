import { ORDINAL_FROM_POD_NAME, identityEnv, type ReplicationContext, type ReplicationPlan } from './plan.js';

/** Qdrant's port for peer-to-peer traffic (Raft and shard transfers); it takes writes, so only peers reach it. */
export const QDRANT_P2P_PORT = 6335;

/**
 * Qdrant's distributed mode: every pod is a Raft peer that serves reads and writes, so clients may reach any
 * of them. The pod at the primary ordinal starts the cluster (`--uri`), the others join through it
 * (`--bootstrap`). Data is replicated only for collections created with replication_factor ≥ 2 (README).
 */
export function qdrantPlan(context: ReplicationContext): ReplicationPlan {
  const script = [
    'set -eu',
    ORDINAL_FROM_POD_NAME,
    `self="http://$POD_NAME.$PEER_DOMAIN:${QDRANT_P2P_PORT}"`,
    'if [ "$ordinal" = "$PRIMARY_ORDINAL" ]; then exec ./entrypoint.sh --uri "$self"; fi',
    `exec ./entrypoint.sh --bootstrap "http://$PRIMARY_HOST:${QDRANT_P2P_PORT}" --uri "$self"`,
    '',
  ].join('\n');
  return {
    engine: 'qdrant',
    mode: 'peers',
    peerPorts: [QDRANT_P2P_PORT],
    extraPorts: [{ name: 'p2p', port: QDRANT_P2P_PORT }],
    command: ['sh', '-c', script],
    env: [
      ...identityEnv(context),
      { name: 'QDRANT__CLUSTER__ENABLED', value: 'true' },
      { name: 'QDRANT__CLUSTER__P2P__PORT', value: String(QDRANT_P2P_PORT) },
    ],
    volumeMounts: [],
    volumes: [],
    initContainers: [],
    files: {},
  };
}
