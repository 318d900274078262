// The bot's entry point, as `npm start` and the Docker image run it: src/main.ts with the V8
// settings of startup/heap-flags.ts. Where the process runs without them, it replaces itself
// (execve: the same process ID, standard streams and environment, nothing left behind) with
// `node <its own flags> <heap flags> src/main.ts <its arguments>`; otherwise it runs main.ts.
// One place for the settings, whatever starts the bot (npm, Docker, systemd, a shell).
import { fileURLToPath } from 'node:url';
import { heapFlagsToAdd } from './startup/heap-flags.ts';

const missing = heapFlagsToAdd(process.execArgv, process.env['NODE_OPTIONS']);
if (missing.length > 0 && typeof process.execve === 'function') {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...missing, main, ...process.argv.slice(2)], process.env);
}
// Without execve (Windows), the bot runs with V8's defaults.
await import('./main.ts');
