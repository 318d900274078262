// A PuppetLedger over a real SQLite database held in memory, migrated like the bot's own.
import Database from 'better-sqlite3';
import { migrate } from '../../src/store/migrations.ts';
import { SqlitePuppetLedger } from '../../src/store/puppet-sessions.ts';

export function memoryLedger(): SqlitePuppetLedger {
  const db = new Database(':memory:');
  migrate(db);
  return new SqlitePuppetLedger(db);
}
