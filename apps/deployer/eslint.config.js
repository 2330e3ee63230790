import baseConfig from '../../eslint.config.js';

const RULE = '@nx/enforce-module-boundaries';
const [severity, options] = baseConfig.find((c) => c.rules?.[RULE])?.rules[RULE] ?? [];

export default [
  ...baseConfig,
  // The live tests watch the real apps/sample-api (in process), the one app this app may import, and only in tests.
  ...(options ? [{ files: ['test/**/*.ts'], rules: { [RULE]: [severity, { ...options, allow: [...options.allow, '@cios/sample-api'] }] } }] : []),
];
