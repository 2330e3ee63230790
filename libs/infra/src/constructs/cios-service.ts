import { Construct } from '../cdktf.js';
import { replicasIn } from '@cios/platform-spec';
import {
  DeploymentV1,
  HorizontalPodAutoscalerV2,
  IngressV1,
  NetworkPolicyV1,
  PodDisruptionBudgetV1,
  ServiceV1,
} from '../k8s.js';
import { selectorLabels, serviceLabels } from '../labels.js';
import { podSpec } from './pod.js';
import { ingressRulesFor, metricsAnnotations, type WorkloadProps } from './service-common.js';
import { workloadIdentityAndConfig } from './workload-identity.js';

export type CiosServiceProps = WorkloadProps;

/** The HPA's bounds in an environment: the environment's replicas as floor (prod also the spec's floor), scaled max. */
export function autoscalingBounds(props: Pick<WorkloadProps, 'service' | 'environment'>): { min: number; max: number } | undefined {
  const { service, environment } = props;
  if (!service.autoscaling) return undefined;
  const base = replicasIn(environment, service.replicas);
  const min = Math.max(1, environment.kind === 'prod' ? Math.max(base, service.autoscaling.minReplicas) : base);
  const max = Math.max(min, Math.ceil(service.autoscaling.maxReplicas * environment.scaling.autoscalingFactor));
  return { min, max };
}

/**
 * A stateless CIOS service: Deployment (zero-downtime rolling updates, zone spread, restricted
 * security, probes), Service, ServiceAccount, ConfigMap, HPA v2, PodDisruptionBudget, a NetworkPolicy
 * admitting only declared callers, and an Ingress when public.
 */
export class CiosService extends Construct {
  readonly replicas: number;
  readonly deployment: DeploymentV1;

  constructor(scope: Construct, id: string, props: CiosServiceProps) {
    super(scope, id);
    const { service, environment, namespace } = props;
    const labels = serviceLabels(service, environment, props.version);
    const selector = selectorLabels(service, environment);
    const dependsOn = props.dependsOn ? [...props.dependsOn] : undefined;
    const metadata = (name: string) => ({ name, namespace, labels });
    const bounds = autoscalingBounds(props);
    this.replicas = bounds ? bounds.min : replicasIn(environment, service.replicas);

    const configMapName = workloadIdentityAndConfig(this, service, metadata, dependsOn);

    this.deployment = new DeploymentV1(this, 'deployment', {
      metadata: metadata(service.name),
      spec: {
        // With an HPA the replica count is left to it, so Terraform never fights the autoscaler.
        ...(bounds ? {} : { replicas: String(this.replicas) }),
        revisionHistoryLimit: 5,
        progressDeadlineSeconds: 600,
        selector: { matchLabels: selector },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '0', maxSurge: '25%' } },
        template: {
          metadata: { labels, annotations: metricsAnnotations(service) },
          spec: podSpec({
            service,
            environment,
            image: props.image,
            labels,
            selector,
            region: props.region,
            serviceAccountName: service.name,
            ...(configMapName ? { configMapName } : {}),
          }),
        },
      },
      waitForRollout: true,
      dependsOn,
    });

    new ServiceV1(this, 'service', {
      metadata: metadata(service.name),
      spec: {
        type: 'ClusterIP',
        selector,
        port: [{ name: 'http', port: service.port, targetPort: 'http', protocol: 'TCP' }],
      },
      dependsOn,
    });

    if (bounds) {
      const metric = [
        ...(service.autoscaling?.cpuTargetPercent !== undefined
          ? [resourceMetric('cpu', service.autoscaling.cpuTargetPercent)]
          : []),
        ...(service.autoscaling?.memoryTargetPercent !== undefined
          ? [resourceMetric('memory', service.autoscaling.memoryTargetPercent)]
          : []),
      ];
      new HorizontalPodAutoscalerV2(this, 'hpa', {
        metadata: metadata(service.name),
        spec: {
          minReplicas: bounds.min,
          maxReplicas: bounds.max,
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: service.name },
          metric,
          behavior: {
            scaleDown: [
              {
                stabilizationWindowSeconds: 300,
                selectPolicy: 'Max',
                policy: [{ type: 'Percent', value: 50, periodSeconds: 60 }],
              },
            ],
          },
        },
        dependsOn,
      });
    }

    if (this.replicas >= 2) {
      new PodDisruptionBudgetV1(this, 'pdb', {
        metadata: metadata(service.name),
        spec: { maxUnavailable: '1', selector: { matchLabels: selector } },
        dependsOn,
      });
    }

    new NetworkPolicyV1(this, 'network-policy', {
      metadata: metadata(`${service.name}-ingress`),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress'],
        ingress: ingressRulesFor(props),
      },
      dependsOn,
    });

    if (service.ingress && props.host) {
      new IngressV1(this, 'ingress', {
        metadata: {
          ...metadata(service.name),
          annotations: {
            'cert-manager.io/cluster-issuer': 'letsencrypt',
            'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
          },
        },
        spec: {
          ingressClassName: 'nginx',
          tls: [{ hosts: [props.host], secretName: `${service.name}-tls` }],
          rule: [
            {
              host: props.host,
              http: {
                path: [
                  {
                    path: service.ingress.path,
                    pathType: 'Prefix',
                    backend: { service: { name: service.name, port: { name: 'http' } } },
                  },
                ],
              },
            },
          ],
        },
        dependsOn,
      });
    }
  }
}

function resourceMetric(name: 'cpu' | 'memory', percent: number) {
  return { type: 'Resource', resource: { name, target: { type: 'Utilization', averageUtilization: percent } } };
}

