export { run, UsageError } from './commands.js';
