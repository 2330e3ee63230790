export { platform, platformInput, services, environments, getEnvironment, getService } from './catalog.js';
export { httpService, REGISTRY, STANDARD_REPLICAS, STANDARD_SLOS } from './defaults.js';
