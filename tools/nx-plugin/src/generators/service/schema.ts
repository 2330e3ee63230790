/** Options of the service generator, as schema.json declares them (Nx fills in the defaults). */
export interface ServiceGeneratorSchema {
  name: string;
  tier: string;
  description?: string;
  port?: number;
  runtime?: string;
  dataClassification?: string;
  /** Comma-separated, as typed on the command line. */
  dependsOn?: string | string[];
  host?: string;
  availabilityObjective?: number;
  latencyObjective?: number;
  latencyThresholdMs?: number;
  minReplicas?: number;
  maxReplicas?: number;
  registry?: string;
  assignTo?: string;
  priority?: string;
  skipTest?: boolean;
}
