// Starting the bot for real: the same sequence for production and for the demo.
// Every step that can fail explains itself and stops before anything is changed.
import { startBot, type RunningBot } from './bot/bot.ts';
import type { BotConfig, Secrets } from './config/load.ts';
import { connectHomeserver } from './homeserver/synapse-admin.ts';
import type { Logger } from './log.ts';
import { loadMatrixBotSdk } from './matrix/crypto-seam.ts';
import { routeSdkLogs } from './matrix/sdk-logging.ts';
import { checkTokens, StartupError } from './startup/preflight.ts';
import { HomeserverError } from './homeserver/errors.ts';
import { openDatabase } from './store/database.ts';
import { SqlitePuppetLedger } from './store/puppet-sessions.ts';

export { StartupError };

export type Running = RunningBot & { close(): Promise<void> };

export async function runBot(config: BotConfig, secrets: Secrets, log: Logger): Promise<Running> {
  const { sdk, crypto } = loadMatrixBotSdk();
  routeSdkLogs(sdk, log);
  const mode = config.bot.encryption;
  if (!crypto.available && mode === 'required') {
    throw new StartupError(
      `bot.encryption is "required", but end-to-end encryption is unavailable (${crypto.reason}).\n` +
        'Install the native library with `node node_modules/@matrix-org/matrix-sdk-crypto-nodejs/download-lib.js` ' +
        '(it downloads from GitHub), or use the Docker image, which has it; or set bot.encryption to "auto".',
    );
  }
  if (!crypto.available && mode === 'auto') {
    log.warn(
      `end-to-end encryption is off: the native library @matrix-org/matrix-sdk-crypto-nodejs is not installed. ` +
        'The bot answers in unencrypted rooms only and tells encrypted rooms how to reach it. See the README to enable encryption.',
    );
  }

  await checkTokens(config, secrets);
  const db = openDatabase(config.dataDir);
  // Opened first: connecting ends the login-as sessions an earlier run left (puppet_sessions).
  const { homeserver, notes } = await connectHomeserver({
    url: config.homeserver.url,
    serverName: config.homeserver.serverName,
    adminToken: secrets.adminToken,
    botToken: secrets.botToken,
    botUserId: config.bot.userId,
    timeoutMs: config.homeserver.requestTimeoutMs,
    puppetLedger: new SqlitePuppetLedger(db),
  }).catch((error: unknown) => {
    db.close();
    throw error instanceof HomeserverError ? new StartupError(`could not detect what the homeserver supports: ${error.userMessage}`) : error;
  });
  for (const note of notes) log.warn(`homeserver: ${note}`);

  try {
    const bot = await startBot({
      config,
      secrets,
      sdk,
      encryption: crypto.available && mode !== 'off',
      db,
      homeserver,
      serverNotes: notes,
      log,
    });
    return {
      get adminRoomId() {
        return bot.adminRoomId;
      },
      idle: () => bot.idle(),
      stop: () => bot.stop(),
      close: async () => {
        await bot.stop();
        db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
