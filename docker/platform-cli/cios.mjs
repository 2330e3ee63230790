// Entry point of the platform CLI image: distroless has no shell and no PATH of npm bins, so this picks the
// CLI named by the first argument and runs it in the same process.
import { pathToFileURL } from 'node:url';

const CLIS = {
  'cios-kb': '/app/libs/knowledge-base/bin/cios-kb.js',
  'cios-deploy': '/app/apps/deployer/bin/cios-deploy.js',
  'cios-monitoring': '/app/apps/monitoring-config/bin/cios-monitoring.js',
  'cios-image': '/app/apps/image-cli/bin/cios-image.js',
  'cios-synth': '/app/libs/infra/bin/cios-synth.js',
};

const [name, ...rest] = process.argv.slice(2);
const script = name === undefined ? undefined : CLIS[name];
if (!script) {
  const stream = name === undefined || name === '--help' ? process.stdout : process.stderr;
  stream.write(`Usage: <image> <cli> [args…]\nCLIs: ${Object.keys(CLIS).join(', ')}\n`);
  process.exitCode = name === '--help' ? 0 : 2;
} else {
  process.argv = [process.argv[0], script, ...rest];
  await import(pathToFileURL(script).href);
}
