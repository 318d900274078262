// Opening the bot's database from the command line: the same config file as the bot
// (--config PATH, DSAR_BOT_CONFIG, or bot.config.json); only its settings are needed, no secrets.
import { configPathFrom, formatProblems, loadConfigFile } from '../config/load.ts';
import { type Db, openDatabase } from '../store/database.ts';

export function openConfiguredDatabase(argv: string[], env: NodeJS.ProcessEnv): { db: Db; responseDays: number } | { problem: string } {
  const { path } = configPathFrom(argv, env);
  const { config, problems } = loadConfigFile(path);
  if (config === null) return { problem: formatProblems(problems, path) };
  return { db: openDatabase(config.dataDir), responseDays: config.policy.responseDays };
}
