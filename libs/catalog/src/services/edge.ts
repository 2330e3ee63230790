import type { ServiceInput } from '@cios/platform-spec';
import { httpService } from '../defaults.js';

/** Everything reachable from the internet: the API gateway and the two web front ends. */
export const edgeServices: ServiceInput[] = [
  httpService('api-gateway', 'edge', {
    description: 'Public HTTPS entry point: authentication, rate limiting and routing to core and AI services',
    ingress: { host: 'api.cios.ca', path: '/' },
    autoscaling: { minReplicas: 3, maxReplicas: 20, cpuTargetPercent: 60 },
    dependsOn: [
      'user-service',
      'organization-service',
      'case-service',
      'document-service',
      'workflow-service',
      'communication-service',
      'eligibility-service',
      'crm-service',
      'billing-service',
      'calendar-service',
      'reporting-service',
      'ai-gateway',
    ],
    config: {
      env: { LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '600' },
      secrets: [{ env: 'JWT_SIGNING_KEY', secretName: 'api-gateway-jwt', key: 'signing-key' }],
    },
  }),
  httpService('consultant-portal', 'edge', {
    description: 'Web application for immigration consultants (static build served from the edge)',
    runtime: 'static',
    ingress: { host: 'app.cios.ca', path: '/' },
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
    autoscaling: { minReplicas: 2, maxReplicas: 6, cpuTargetPercent: 70 },
    health: { liveness: '/healthz', readiness: '/healthz' },
    dataClassification: 'public',
    scratchPaths: ['/var/cache/nginx', '/var/run'],
    config: { env: { API_BASE_URL: 'https://api.cios.ca' } },
  }),
  httpService('client-portal', 'edge', {
    description: "Web application for consultants' clients: case status, documents, messages",
    runtime: 'static',
    ingress: { host: 'portal.cios.ca', path: '/' },
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
    autoscaling: { minReplicas: 2, maxReplicas: 6, cpuTargetPercent: 70 },
    health: { liveness: '/healthz', readiness: '/healthz' },
    dataClassification: 'public',
    scratchPaths: ['/var/cache/nginx', '/var/run'],
    config: { env: { API_BASE_URL: 'https://api.cios.ca' } },
  }),
];
