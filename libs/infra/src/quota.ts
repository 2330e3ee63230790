import { cpuMillis, memoryBytes, replicasIn, type Environment, type Service } from '@cios/platform-spec';
import { autoscalingBounds } from './constructs/cios-service.js';

/** Headroom above the sum of every workload at its maximum scale, for rolling updates (maxSurge) and jobs. */
const HEADROOM = 1.5;

function maxReplicas(service: Service, env: Environment): number {
  return autoscalingBounds({ service, environment: env })?.max ?? replicasIn(env, service.replicas);
}

/** A namespace's ResourceQuota: what its services need at full scale, plus headroom; deterministic. */
export function quotaFor(services: readonly Service[], env: Environment): Record<string, string> {
  let reqCpu = 0;
  let limCpu = 0;
  let reqMem = 0;
  let limMem = 0;
  let pods = 0;
  let storage = 0;
  let claims = 0;
  for (const s of services) {
    const n = maxReplicas(s, env);
    reqCpu += cpuMillis(s.resources.requests.cpu) * n;
    limCpu += cpuMillis(s.resources.limits.cpu) * n;
    reqMem += memoryBytes(s.resources.requests.memory) * n;
    limMem += memoryBytes(s.resources.limits.memory) * n;
    pods += n;
    if (s.storage) {
      storage += memoryBytes(s.storage.size) * n;
      claims += n;
    }
    if (s.backup) {
      reqCpu += 100;
      limCpu += 1000;
      reqMem += 256 * 2 ** 20;
      limMem += 2 ** 30;
      pods += 1;
    }
  }
  const mi = (bytes: number) => `${Math.ceil((bytes * HEADROOM) / 2 ** 20)}Mi`;
  const m = (millis: number) => `${Math.ceil(millis * HEADROOM)}m`;
  return {
    'requests.cpu': m(reqCpu),
    'limits.cpu': m(limCpu),
    'requests.memory': mi(reqMem),
    'limits.memory': mi(limMem),
    pods: String(Math.ceil(pods * HEADROOM) + 2),
    ...(claims > 0
      ? { 'requests.storage': `${Math.ceil(storage / 2 ** 30) * 2}Gi`, persistentvolumeclaims: String(claims * 2) }
      : {}),
  };
}
