import { z } from 'zod';
import { Dns1123Label } from './names.js';

/** What most kinds accept as `metadata.name`: a DNS-1123 subdomain. */
export const Dns1123Subdomain = z
  .string({ error: (issue) => (issue.input === undefined ? 'is missing: every object needs a name' : 'must be a string') })
  .min(1, 'must not be empty')
  .max(253, 'must be at most 253 characters (a DNS-1123 subdomain)')
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'must be a DNS-1123 subdomain: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit',
  );

/**
 * The least every Kubernetes object has, whatever its kind: enough for a tool to place, name and label it
 * without knowing its schema (a custom resource's spec is the API server's to validate). Every other
 * field passes through untouched, so an object parsed here is applied exactly as it was written.
 */
export const KubernetesObject = z.looseObject({
  apiVersion: z
    .string({ error: (issue) => (issue.input === undefined ? 'is missing: every object needs an apiVersion' : 'must be a string') })
    .regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?v\d+((alpha|beta)\d+)?$/, 'must be an API version such as "monitoring.coreos.com/v1" or "v1"'),
  kind: z
    .string({ error: (issue) => (issue.input === undefined ? 'is missing: every object needs a kind' : 'must be a string') })
    .regex(/^[A-Z][A-Za-z0-9]*$/, 'must be a Kubernetes kind such as "PrometheusRule"'),
  metadata: z.looseObject(
    {
      name: Dns1123Subdomain,
      namespace: Dns1123Label.optional(),
      labels: z.record(z.string(), z.string()).optional(),
      annotations: z.record(z.string(), z.string()).optional(),
    },
    { error: (issue) => (issue.input === undefined ? 'is missing: every object needs metadata with a name' : 'must be an object') },
  ),
});
export type KubernetesObject = z.infer<typeof KubernetesObject>;
