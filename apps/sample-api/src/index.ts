export { createServer, type LogLevel, type Logger, type SampleApi, type SampleApiOptions } from './server.js';
export { spawnSampleApi, SAMPLE_API_BIN, type SampleApiProcess, type SpawnSampleApiOptions } from './spawn.js';
export { parseEnv, ENVIRONMENT_HELP, type ConfigResult } from './config.js';
export {
  assertBehaviour,
  DEFAULT_BEHAVIOUR,
  ErrorSpread,
  MAX_LATENCY_MS,
  shouldFail,
  validateBehaviourUpdate,
  type Behaviour,
  type Validation,
} from './behaviour.js';
export {
  Counter,
  escapeHelp,
  escapeLabelValue,
  EXPOSITION_CONTENT_TYPE,
  formatValue,
  Gauge,
  Histogram,
  HTTP_DURATION_BUCKETS,
  Registry,
  type Labels,
} from './metrics.js';
export { parseExposition, sampleValue, sumSamples, type Exposition, type MetricFamily, type Sample } from './exposition-parser.js';
export { createServiceMetrics, KNOWN_METHODS, TRAFFIC_ROUTES, type ServiceMetrics } from './service-metrics.js';
export { CASES, findCase, type ImmigrationCase } from './cases.js';
