// Where the config file is: --config PATH or --config=PATH, else the
// environment variable DSAR_BOT_CONFIG, else ./bot.config.json.

export const CONFIG_ENV = 'DSAR_BOT_CONFIG';
export const DEFAULT_CONFIG_PATH = './bot.config.json';

/**
 * The config path as given (relative paths are relative to the working
 * directory; loadConfig resolves them). `explicit` is true when it came from
 * --config or DSAR_BOT_CONFIG. The last --config wins; arguments after "--"
 * are not options. "--config" without a value gives an empty path, which
 * loadConfig reports. An empty DSAR_BOT_CONFIG counts as not set.
 */
export function configPathFrom(argv: string[], env: NodeJS.ProcessEnv): { path: string; explicit: boolean } {
  let fromArgs: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') break;
    if (arg === '--config') {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) fromArgs = '';
      else {
        fromArgs = next;
        i++;
      }
    } else if (arg?.startsWith('--config=')) {
      fromArgs = arg.slice('--config='.length);
    }
  }
  if (fromArgs !== null) return { path: fromArgs, explicit: true };
  const fromEnv = env[CONFIG_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { path: fromEnv, explicit: true };
  return { path: DEFAULT_CONFIG_PATH, explicit: false };
}
