import type { ServiceInput } from '@cios/platform-spec';
import { httpService } from '../defaults.js';

const db = (name: string) => ({ env: 'DATABASE_PASSWORD', secretName: `${name}-db`, key: 'password' });

/** The business services of CIOS; each owns its schema in PostgreSQL. */
export const coreServices: ServiceInput[] = [
  httpService('user-service', 'core', {
    description: 'Accounts, authentication, roles and consent records',
    dataClassification: 'restricted',
    dependsOn: ['postgres', 'redis'],
    config: { env: { DATABASE_HOST: 'postgres', DATABASE_NAME: 'users' }, secrets: [db('user-service')] },
  }),
  httpService('organization-service', 'core', {
    description: 'Consulting firms, teams, licences (CICC numbers) and tenant settings',
    dependsOn: ['postgres', 'user-service'],
    config: { env: { DATABASE_HOST: 'postgres', DATABASE_NAME: 'organizations' }, secrets: [db('organization-service')] },
  }),
  httpService('case-service', 'core', {
    description: 'Immigration cases: applicants, programs, milestones and deadlines',
    dataClassification: 'restricted',
    resources: { requests: { cpu: '200m', memory: '384Mi' }, limits: { cpu: '1', memory: '768Mi' } },
    autoscaling: { minReplicas: 3, maxReplicas: 15, cpuTargetPercent: 65 },
    dependsOn: ['postgres', 'redis', 'document-service', 'workflow-service', 'user-service', 'organization-service'],
    config: { env: { DATABASE_HOST: 'postgres', DATABASE_NAME: 'cases' }, secrets: [db('case-service')] },
  }),
  httpService('document-service', 'core', {
    description: 'Passports, forms and evidence: upload, virus scan, encryption at rest in Canadian object storage',
    dataClassification: 'restricted',
    resources: { requests: { cpu: '200m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    dependsOn: ['postgres'],
    config: {
      env: { DATABASE_HOST: 'postgres', DATABASE_NAME: 'documents', OBJECT_STORE_REGION: 'ca-central-1' },
      secrets: [
        db('document-service'),
        { env: 'OBJECT_STORE_SECRET_ACCESS_KEY', secretName: 'document-service-object-store', key: 'secret-access-key' },
      ],
    },
  }),
  httpService('workflow-service', 'core', {
    description: 'Case workflows, tasks and reminders',
    dependsOn: ['postgres', 'redis', 'communication-service', 'calendar-service'],
    config: { env: { DATABASE_HOST: 'postgres', DATABASE_NAME: 'workflows' }, secrets: [db('workflow-service')] },
  }),
  httpService('communication-service', 'core', {
    description: 'Email, SMS and in-app messages to clients and consultants',
    dependsOn: ['postgres', 'redis'],
    config: {
      env: { DATABASE_HOST: 'postgres', DATABASE_NAME: 'communications' },
      secrets: [db('communication-service'), { env: 'SMTP_PASSWORD', secretName: 'communication-smtp', key: 'password' }],
    },
  }),
  httpService('rules-engine', 'core', {
    description: 'Law and rule engine: IRPA/IRPR rules, program criteria and their versions',
    dataClassification: 'internal',
    dependsOn: ['postgres', 'redis'],
    config: { env: { DATABASE_HOST: 'postgres', DATABASE_NAME: 'rules' }, secrets: [db('rules-engine')] },
  }),
  httpService('eligibility-service', 'core', {
    description: 'Eligibility assessments and CRS scores from case facts and the rule engine',
    dependsOn: ['rules-engine', 'case-service', 'ai-gateway', 'postgres'],
    config: { env: { DATABASE_HOST: 'postgres', DATABASE_NAME: 'eligibility' }, secrets: [db('eligibility-service')] },
  }),
  httpService('crm-service', 'core', {
    description: 'Leads, contacts and pipelines of each consulting firm',
    dependsOn: ['postgres', 'communication-service'],
    config: { env: { DATABASE_HOST: 'postgres', DATABASE_NAME: 'crm' }, secrets: [db('crm-service')] },
  }),
  httpService('billing-service', 'core', {
    description: 'Subscriptions, invoices, retainers and trust accounting',
    dataClassification: 'restricted',
    dependsOn: ['postgres', 'organization-service'],
    config: {
      env: { DATABASE_HOST: 'postgres', DATABASE_NAME: 'billing' },
      secrets: [db('billing-service'), { env: 'PAYMENT_API_KEY', secretName: 'billing-payment-provider', key: 'api-key' }],
    },
  }),
  httpService('calendar-service', 'core', {
    description: 'Appointments, biometrics and interview dates, calendar sync',
    dependsOn: ['postgres', 'communication-service'],
    config: { env: { DATABASE_HOST: 'postgres', DATABASE_NAME: 'calendar' }, secrets: [db('calendar-service')] },
  }),
  httpService('reporting-service', 'core', {
    description: 'Dashboards and exports for firms: caseload, revenue, deadlines',
    resources: { requests: { cpu: '200m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    autoscaling: { minReplicas: 2, maxReplicas: 6, cpuTargetPercent: 75 },
    dependsOn: ['postgres', 'case-service', 'billing-service', 'crm-service'],
    config: { env: { DATABASE_HOST: 'postgres', DATABASE_NAME: 'reporting' }, secrets: [db('reporting-service')] },
  }),
  // The reference service (apps/sample-api, its own Dockerfile): real request metrics for the monitoring rules and the
  // deployer's analysis to be exercised against on every merge. It serves no user and holds no client data, so it
  // runs in dev only: staging and prod run what CIOS's users need.
  httpService('sample-api', 'core', {
    description: 'Reference CIOS service: health, readiness and request metrics, injectable errors and latency, to exercise deploys and alerts',
    environments: ['dev'],
    replicas: { dev: 1 },
    // The USER of apps/sample-api/Dockerfile: `cios-image lint` refuses the image when they differ.
    runAsUser: 10001,
    // One zero-dependency node:http process: a fraction of what the business services need.
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '250m', memory: '128Mi' } },
    // Dev scales autoscalers by 0.3: 1–2 pods there, so a rollout and the HPA are exercised without a third.
    autoscaling: { minReplicas: 1, maxReplicas: 4, cpuTargetPercent: 70 },
    dataClassification: 'internal',
    sourceDir: 'apps/sample-api',
    config: {
      env: {
        // Its own steady traffic (GET /api/cases), so its SLO rules and dev's analysis (minRequests 20) judge real requests.
        SAMPLE_API_SELF_TRAFFIC_RPS: '2',
        // After SIGTERM /readyz answers 503 this long before the listener closes: endpoints drop the pod first.
        SAMPLE_API_SHUTDOWN_DELAY_MS: '5000',
      },
    },
  }),
];
