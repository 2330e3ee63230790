/** Options of the environment generator, as schema.json declares them. */
export interface EnvironmentGeneratorSchema {
  name: string;
  kind: string;
  region?: string;
  description?: string;
  clusterName?: string;
  context?: string;
  namespacePrefix?: string;
  backend?: string;
  stateBucket?: string;
  stateRegion?: string;
  requiresApproval?: boolean;
  approver?: string;
  prometheusUrl?: string;
  domain?: string;
}
