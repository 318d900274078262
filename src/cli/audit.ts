// npm run audit -- verify [--config PATH]
// Checks the audit trail's hash chain and names the first broken entry. Exit 0 intact, 1 broken.
import { parseArgs } from 'node:util';
import { AuditLog } from '../audit/audit-log.ts';
import { openConfiguredDatabase } from './database.ts';

function main(argv: string[], env: NodeJS.ProcessEnv): number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { config: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    parsed = null;
  }
  if (parsed === null || parsed.positionals.join(' ') !== 'verify') {
    process.stderr.write('Usage: npm run audit -- verify [--config PATH]\n');
    return 2;
  }
  const opened = openConfiguredDatabase(parsed.values.config === undefined ? [] : ['--config', parsed.values.config], env);
  if ('problem' in opened) {
    process.stderr.write(`${opened.problem}\n`);
    return 2;
  }
  const result = new AuditLog(opened.db).verify();
  opened.db.close();
  if (result.ok) {
    process.stdout.write(
      `The audit trail is intact: ${result.entries} entries${result.head ? `, the last one ${result.head.seq} with SHA-256 ${result.head.hash}` : ''}.\n`,
    );
    return 0;
  }
  process.stdout.write(`The audit trail is broken at entry ${result.firstBroken}: ${result.problem}.\n`);
  return 1;
}

process.exitCode = main(process.argv.slice(2), process.env);
