import type { ServiceInput } from '@cios/platform-spec';
import { STANDARD_REPLICAS, httpService } from '../defaults.js';

/** The AI tier: one gateway to model providers, and the agent runtime that plans and acts. */
export const aiServices: ServiceInput[] = [
  httpService('ai-gateway', 'ai', {
    description: 'Single egress to LLM providers hosted in Canada: routing, quotas, redaction and audit',
    resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    autoscaling: { minReplicas: 3, maxReplicas: 12, cpuTargetPercent: 60 },
    dependsOn: ['agent-runtime', 'redis'],
    config: {
      env: { MODEL_REGION: 'canadacentral', REDACT_PII: 'true' },
      secrets: [{ env: 'LLM_API_KEY', secretName: 'ai-gateway-llm', key: 'api-key' }],
    },
  }),
  httpService('agent-runtime', 'ai', {
    description: 'Runs CIOS agents: document review, form filling, eligibility drafts; retrieval from the vector store',
    runtime: 'python',
    replicas: { ...STANDARD_REPLICAS },
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
    autoscaling: { minReplicas: 3, maxReplicas: 10, cpuTargetPercent: 70, memoryTargetPercent: 80 },
    dependsOn: ['qdrant', 'redis', 'postgres', 'rules-engine', 'document-service'],
    config: {
      env: { VECTOR_STORE_URL: 'http://qdrant:6333', DATABASE_HOST: 'postgres', DATABASE_NAME: 'agents' },
      secrets: [
        { env: 'DATABASE_PASSWORD', secretName: 'agent-runtime-db', key: 'password' },
        { env: 'QDRANT_API_KEY', secretName: 'qdrant-api', key: 'api-key' },
      ],
    },
  }),
];
