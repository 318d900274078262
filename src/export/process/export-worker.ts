// The export process: started by the bot (export-process.ts) for one package, it makes that
// package and ends. Its heap is capped (EXPORT_PROCESS_FLAGS), so the bot's own memory is not
// what an export is measured against. It reads the homeserver with the tokens and capabilities
// the bot sends, records its login-as sessions in the bot's database under its own name (the
// bot ends them if this process dies), and writes nothing to any log: what the bot needs to
// know goes back over the IPC channel. When that channel closes (the bot died), it ends at once.
import { homeserverWith } from '../../homeserver/synapse-admin.ts';
import { type Db, joinDatabase } from '../../store/database.ts';
import { SqlitePuppetLedger } from '../../store/puppet-sessions.ts';
import { type FromExportProcess, sentFailure, ToExportProcess } from './export-process-protocol.ts';
import { inProcessPackageMaker } from './in-process-maker.ts';

/** Exit codes the bot's log can tell apart (the bot treats any exit without a result alike). */
const EXIT_ORPHANED = 3;
const EXIT_BAD_MESSAGE = 4;

type Start = Extract<ToExportProcess, { type: 'start' }>;

const send = (message: FromExportProcess): Promise<void> =>
  new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send!(message, undefined, {}, () => resolve());
  });

const stop = new AbortController();
let started = false;

process.on('disconnect', () => process.exit(EXIT_ORPHANED));
process.on('message', (raw) => {
  // Never printed: the start message holds the tokens.
  const parsed = ToExportProcess.safeParse(raw);
  if (!parsed.success) process.exit(EXIT_BAD_MESSAGE);
  const message = parsed.data;
  if (message.type === 'stop') {
    if (!started) process.exit(0);
    stop.abort(new Error('stopped by the bot'));
  } else if (!started) {
    started = true;
    void make(message).finally(() => process.exit(0));
  }
});
void send({ type: 'ready' });

async function make(start: Start): Promise<void> {
  const { config, order } = start;
  // The bot's clock, which tests move: the same offset from this process's.
  const offset = order.now - Date.now();
  let db: Db | null = null;
  try {
    db = joinDatabase(config.dataDir);
    const homeserver = homeserverWith(
      {
        url: config.homeserver.url,
        serverName: config.homeserver.serverName,
        botUserId: config.bot.userId,
        adminToken: start.tokens.admin,
        botToken: start.tokens.bot,
        timeoutMs: config.homeserver.requestTimeoutMs,
        puppetLedger: new SqlitePuppetLedger(db, start.owner),
      },
      start.capabilities,
    );
    const made = await inProcessPackageMaker(homeserver, config)(
      { userId: order.userId, name: order.name, outputDir: order.outputDir, now: () => Date.now() + offset },
      { onProgress: (progress) => void send({ type: 'progress', progress }), signal: stop.signal },
    );
    await send({ type: 'made', package: made, peakRssBytes: process.resourceUsage().maxRSS * 1024 });
  } catch (error) {
    await send({ type: 'failed', failure: sentFailure(error) });
  } finally {
    db?.close();
  }
}
