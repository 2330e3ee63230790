import { postgresPlan } from './postgres.js';
import { qdrantPlan } from './qdrant.js';
import { redisPlan } from './redis.js';
import type { ReplicationContext, ReplicationPlan } from './plan.js';

export { primaryOrdinalIn, podHost, REPLICATION_CONFIG_MAP_SUFFIX, type ReplicationContext, type ReplicationMode, type ReplicationPlan } from './plan.js';

/** The plan of the store's engine (the catalog's replication.engine). */
export function replicationPlan(context: ReplicationContext): ReplicationPlan {
  switch (context.replication.engine) {
    case 'postgres':
      return postgresPlan(context);
    case 'redis':
      return redisPlan(context);
    case 'qdrant':
      return qdrantPlan(context);
  }
}
