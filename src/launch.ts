// The bot's entry point, as `npm start` and the Docker image run it: src/main.ts with the V8
// settings of startup/heap-flags.ts and Node's compile cache in a folder of the bot's own
// (startup/compile-cache.ts). Where the process runs without the settings, it replaces itself
// (execve: the same process ID, standard streams and environment, nothing left behind) with
// `node <its own flags> <heap flags> src/main.ts <its arguments>`; otherwise it runs main.ts.
// One place for the settings, whatever starts the bot (npm, Docker, systemd, a shell).
import { enableCompileCache } from 'node:module';
import { fileURLToPath } from 'node:url';
import { COMPILE_CACHE_ENV, privateCompileCacheDir } from './startup/compile-cache.ts';
import { heapFlagsToAdd } from './startup/heap-flags.ts';

// An operator's own NODE_COMPILE_CACHE (or NODE_DISABLE_COMPILE_CACHE) is left as it is.
const cache = process.env[COMPILE_CACHE_ENV] ?? privateCompileCacheDir();
const env = cache === null ? process.env : { ...process.env, [COMPILE_CACHE_ENV]: cache };
const missing = heapFlagsToAdd(process.execArgv, process.env['NODE_OPTIONS']);
if (missing.length > 0 && typeof process.execve === 'function') {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...missing, main, ...process.argv.slice(2)], env);
}
// Without execve (Windows) the bot runs with V8's defaults. The export processes it starts
// find the cache in their environment.
if (cache !== null && process.env[COMPILE_CACHE_ENV] === undefined) {
  process.env[COMPILE_CACHE_ENV] = cache;
  enableCompileCache(cache);
}
await import('./main.ts');
