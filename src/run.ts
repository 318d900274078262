// Starting the bot for real: the same sequence for production and for the demo.
// Every step that can fail explains itself and stops before anything is changed.

import { flushCompileCache } from 'node:module';
import { type RunningBot, startBot } from './bot/composition.ts';
import type { BotConfig, Secrets } from './config/load.ts';
import { PSEUDONYM_KEY_ENV } from './config/secret-keys.ts';
import { cryptoStorageProvider } from './crypto/crypto-store.ts';
import { decideEncryption, type EncryptionDecision } from './crypto/encryption-mode.ts';
import type { OpenedStore } from './crypto/store-options.ts';
import { exportProcesses } from './export/process/export-process.ts';
import { HomeserverError } from './homeserver/errors.ts';
import { connectHomeserver } from './homeserver/synapse-admin.ts';
import type { JobHandler } from './jobs/runner.ts';
import type { Logger } from './log.ts';
import { loadMatrixBotSdk, type MatrixBotSdk } from './matrix/crypto-seam.ts';
import { routeSdkLogs } from './matrix/sdk-logging.ts';
import { refuseForeignDeviceKeys } from './startup/device-keys.ts';
import { checkTokens } from './startup/preflight.ts';
import { StartupError } from './startup-error.ts';
import { type DataFolderLock, lockDataFolder } from './store/data-folder-lock.ts';
import { openDatabase } from './store/database.ts';
import { SqlitePuppetLedger } from './store/puppet-sessions.ts';
import { SqliteSdkStorage } from './store/sdk-storage.ts';

/** 32 characters: 128 bits as hex, or more as a passphrase. */
const MIN_PSEUDONYM_KEY_LENGTH = 32;

const describeStore = (opened: OpenedStore): string =>
  opened.engine === 'native'
    ? 'native engine, SQLite in the data folder'
    : `WebAssembly engine, ${opened.stored.records} records, ${Math.round(opened.stored.bytes / 1024)} KiB in the bot's database`;

export type Running = RunningBot & { close(): Promise<void> };

/**
 * What production leaves at its defaults: the clock (tests move it), extra job handlers, the
 * backoff between job attempts, and how long after the start an export process is started to
 * wait for the first export (once the bot's own start-up is over, so that the two do not compete).
 */
export type RunOptions = { now?: () => number; jobHandlers?: readonly JobHandler[]; jobRetryBaseMs?: number; warmExportAfterMs?: number };

const WARM_EXPORT_AFTER_MS = 10_000;

export async function runBot(config: BotConfig, secrets: Secrets, log: Logger, options: RunOptions = {}): Promise<Running> {
  if (secrets.pseudonymKey === null || secrets.pseudonymKey.length < MIN_PSEUDONYM_KEY_LENGTH) {
    throw new StartupError(
      `${PSEUDONYM_KEY_ENV} is ${secrets.pseudonymKey === null ? 'not set' : `shorter than ${MIN_PSEUDONYM_KEY_LENGTH} characters`}. ` +
        'The bot replaces the names in closed requests with pseudonyms keyed by it, so it must be secret, long and the same at every start. ' +
        `Create one once with \`openssl rand -hex 32\`, keep it with the bot's other secrets, and set ${PSEUDONYM_KEY_ENV}.`,
    );
  }
  const { sdk, crypto } = loadMatrixBotSdk();
  routeSdkLogs(sdk, log);
  const encryption = decideEncryption(config.bot.encryption, crypto, secrets.cryptoPassphrase);
  if ('refuse' in encryption) throw new StartupError(encryption.refuse);
  if (!encryption.on && encryption.warning) log.warn(encryption.note);
  else log.info(encryption.note);

  // Before anything reaches the homeserver or the data folder: one bot per data folder.
  const lock = lockDataFolder(config.dataDir);
  try {
    return await startLocked(config, secrets, log, options, { sdk, encryption, lock });
  } catch (error) {
    lock.release();
    throw error;
  }
}

type Started = {
  sdk: MatrixBotSdk;
  encryption: Exclude<EncryptionDecision, { refuse: string }>;
  /** Released by `close()`; on a failed start, by the caller. */
  lock: DataFolderLock;
};

/** The rest of the start, with the data folder locked. */
async function startLocked(config: BotConfig, secrets: Secrets, log: Logger, options: RunOptions, { sdk, encryption, lock }: Started): Promise<Running> {
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

  const exporters = exportProcesses({
    config,
    secrets,
    capabilities: () => homeserver.capabilities,
    endSessionsOf: (owner) => homeserver.cleanUpPuppetSessions(owner),
    log,
  });
  try {
    const cryptoStore = encryption.on
      ? cryptoStorageProvider(sdk, config.dataDir, new SqliteSdkStorage(db), {
          db,
          passphrase: encryption.passphrase,
          onOpen: (opened) => log.info(`end-to-end encryption store opened (${describeStore(opened)})`),
          // Before the engine uploads anything: the server's keys for this device must be none or the store's.
          beforeUse: (identity) => refuseForeignDeviceKeys(config, secrets, identity),
        })
      : undefined;
    const bot = await startBot({
      config,
      secrets,
      sdk,
      encryption: encryption.on,
      cryptoStore,
      db,
      homeserver,
      makePackage: exporters.make,
      serverNotes: notes,
      log,
      ...(options.now ? { now: options.now } : {}),
      jobHandlers: options.jobHandlers ?? [],
      ...(options.jobRetryBaseMs === undefined ? {} : { jobRetryBaseMs: options.jobRetryBaseMs }),
    });
    // Where the compile cache is on (src/launch.ts), the code compiled so far is written now, not
    // at exit: the export processes load most of the same modules.
    flushCompileCache();
    const warming = setTimeout(() => exporters.warm(), options.warmExportAfterMs ?? WARM_EXPORT_AFTER_MS);
    warming.unref();
    const stop = async () => {
      clearTimeout(warming);
      await bot.stop();
      await exporters.stop();
    };
    return {
      get adminRoomId() {
        return bot.adminRoomId;
      },
      services: bot.services,
      exports: bot.exports,
      idle: () => bot.idle(),
      stop,
      close: async () => {
        await stop();
        db.close();
        lock.release();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
