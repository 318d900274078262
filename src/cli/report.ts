// npm run report -- [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json] [--config PATH]
// The transparency report from the bot's database, as the admin room's !report prints it.
import { parseArgs } from 'node:util';
import { AuditLog } from '../audit/audit-log.ts';
import { render } from '../render/render.ts';
import { parseDay, reportDocument } from '../report/transparency.ts';
import { reportFor } from '../requests/desk.ts';
import { RequestService } from '../requests/requests.ts';
import { openConfiguredDatabase } from './database.ts';

function main(argv: string[], env: NodeJS.ProcessEnv, now: number): number {
  let options;
  try {
    options = parseArgs({
      args: argv,
      options: { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' }, config: { type: 'string' } },
      strict: true,
    }).values;
  } catch (error) {
    process.stderr.write(
      `${error instanceof Error ? error.message : String(error)}\nUsage: npm run report -- [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json] [--config PATH]\n`,
    );
    return 2;
  }
  const today = new Date(now).toISOString().slice(0, 10);
  const from = parseDay(options.from ?? `${today.slice(0, 4)}-01-01`);
  const to = parseDay(options.to ?? today);
  if (from === null || to === null || from > to) {
    process.stderr.write('--from and --to must be dates as YYYY-MM-DD, the first not after the second.\n');
    return 2;
  }
  const opened = openConfiguredDatabase(options.config === undefined ? [] : ['--config', options.config], env);
  if ('problem' in opened) {
    process.stderr.write(`${opened.problem}\n`);
    return 2;
  }
  // The report names nobody, so it needs no pseudonym key.
  const requests = new RequestService({
    db: opened.db,
    audit: new AuditLog(opened.db),
    pseudonymise: () => '',
    responseDays: opened.responseDays,
    now: () => now,
  });
  const report = reportFor(requests, from, to, now);
  opened.db.close();
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${render(reportDocument(report)).text}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2), process.env, Date.now());
