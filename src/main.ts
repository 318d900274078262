// The command line: `node src/main.ts [--config PATH] [--demo]`.
// With no access token and no config path given, it runs the demo instead.
import { configPathFrom, formatProblems, loadConfig } from './config/load.ts';
import { consoleLogger, LOG_LEVEL_ENV } from './log.ts';
import { runBot } from './run.ts';
import { StartupError } from './startup-error.ts';

const EXIT_CONFIG = 2;
const EXIT_STARTUP = 3;

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const log = consoleLogger(process.stderr, { debug: env[LOG_LEVEL_ENV] === 'debug' });
  const { path: configPath, explicit } = configPathFrom(argv, env);
  const tokenGiven = env['DSAR_BOT_ACCESS_TOKEN'] !== undefined || env['DSAR_BOT_ACCESS_TOKEN_FILE'] !== undefined;
  if (argv.includes('--demo') || (!explicit && !tokenGiven)) {
    process.stderr.write('No homeserver configured (DSAR_BOT_ACCESS_TOKEN is not set): running the demo against the bundled test homeserver.\n\n');
    const { runDemo } = await import('./demo/demo.ts');
    return runDemo(process.stdout);
  }

  const loaded = loadConfig(configPath, env);
  if (!loaded.ok) {
    process.stderr.write(`${formatProblems(loaded.problems, configPath)}\n`);
    return EXIT_CONFIG;
  }
  // Listened for before the start: a stop asked for while the bot starts is a clean stop right after it.
  const stopAsked = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  try {
    const bot = await runBot(loaded.config, loaded.secrets, log);
    await stopAsked;
    log.info('stopping');
    await bot.close();
    return 0;
  } catch (error) {
    if (error instanceof StartupError) {
      process.stderr.write(`Cannot start: ${error.message}\n`);
      return EXIT_STARTUP;
    }
    throw error;
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
