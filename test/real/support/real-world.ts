// A world for the real-server tier: a real Synapse, the people a test needs, the admin and
// privacy-contact rooms an operator would make, and the real bot process (`node src/main.ts
// --config <file>`, as `npm start` runs it, encryption on) pointed at it.
//
//   const world = await startRealWorld();
//   const alice = await world.person('alice');
//   const dm = await world.openDirectChat(alice);
//   const reply = await alice.ask(dm, world.botUserId, '!help');
//   await world.close();    // and fails if the bot's log carries what it must not (log-leaks.ts)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BotProcess, type SpawnOptions, startBot } from '../../support/bot-process.ts';
import { rawConfigFor } from '../../support/config.ts';
import { TEST_CRYPTO_PASSPHRASE } from '../../support/world.ts';
import { RealClient } from './client.ts';
import { realLogLeaks } from './log-leaks.ts';
import { type RealSynapse, type StartOptions, startRealSynapse } from './synapse.ts';

export type RealWorld = {
  synapse: RealSynapse;
  botUserId: string;
  /** The listed admin, joined to the admin room; also the privacy contact in its room. */
  admin: RealClient;
  adminRoomId: string;
  contactRoomId: string;
  /** The running bot process (null after stopBot). */
  bot: BotProcess | null;
  configPath: string;
  dataDir: string;
  /** The environment the bot runs with (its token, the passphrases). */
  botEnv: Record<string, string>;
  /**
   * A person with an account; a test client, so its rate limits are lifted while the test seeds
   * with it unless `defaultRateLimits` (a person the bot will export or erase keeps the defaults:
   * call `synapse.restoreRateLimits` before the bot acts for them, or pass it here).
   */
  person(localpart: string, options?: { displayName?: string; defaultRateLimits?: boolean }): Promise<RealClient>;
  /** Opens a direct chat from the person to the bot (encrypted if asked) and waits until the bot joined. */
  openDirectChat(person: RealClient, options?: { encrypted?: boolean }): Promise<string>;
  /** Starts the bot process (again) on the same data folder. */
  startBot(options?: Partial<SpawnOptions>): Promise<BotProcess>;
  stopBot(signal?: NodeJS.Signals): Promise<void>;
  /** Everything every bot process of this world wrote to its log (stderr), in order. */
  botLog(): string;
  /** Texts the log must not carry that the server cannot show (what someone wrote in an encrypted room). */
  mustNotLog(...texts: string[]): void;
  /** Stops the bot and Synapse; then fails if the bot's log carried a token, an address, an IP address or someone's words. */
  close(): Promise<void>;
};

export type RealWorldOptions = {
  synapse?: StartOptions;
  /** Changes to the bot's configuration (the shipped bot.config.json, pointed at this server). */
  configure?: (raw: Record<string, any>) => void;
  /** Do not start the bot yet (a test that seeds history before the bot's first start). */
  startBot?: boolean;
};

export async function startRealWorld(options: RealWorldOptions = {}): Promise<RealWorld> {
  const synapse = await startRealSynapse(options.synapse);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-real-'));
  try {
    const botAccount = await synapse.register('privacybot', { admin: true, displayName: 'Privacy Bot' });
    const adminAccount = await synapse.register('admin', { displayName: 'Admin' });
    await synapse.liftRateLimits(adminAccount.userId);
    const admin = new RealClient(synapse, adminAccount);
    const adminRoomId = await admin.createRoom({ name: 'Privacy admins', alias: 'privacy-admins', invite: [botAccount.userId] });
    const contactRoomId = await admin.createRoom({ name: 'Privacy contact', alias: 'privacy-contact', invite: [botAccount.userId] });

    const configPath = path.join(dir, 'bot.config.json');
    const dataDir = path.join(dir, 'data');
    const raw = rawConfigFor({ url: synapse.url, serverName: synapse.serverName }, dataDir, (c) => {
      c.bot = { userId: botAccount.userId, encryption: 'auto' };
      options.configure?.(c);
    });
    fs.writeFileSync(configPath, JSON.stringify(raw));
    const botEnv = { DSAR_BOT_ACCESS_TOKEN: botAccount.accessToken, DSAR_BOT_CRYPTO_PASSPHRASE: TEST_CRYPTO_PASSPHRASE };
    const tokens = [synapse.admin.accessToken, botAccount.accessToken, adminAccount.accessToken];
    const texts: string[] = [];
    const bots: BotProcess[] = [];

    const world: RealWorld = {
      synapse,
      botUserId: botAccount.userId,
      admin,
      adminRoomId,
      contactRoomId,
      bot: null,
      configPath,
      dataDir,
      botEnv,
      person: async (localpart, o = {}) => {
        const account = await synapse.register(localpart, o.displayName ? { displayName: o.displayName } : {});
        tokens.push(account.accessToken);
        if (!o.defaultRateLimits) await synapse.liftRateLimits(account.userId);
        return new RealClient(synapse, account);
      },
      openDirectChat: async (person, o = {}) => {
        const roomId = await person.createRoom({ isDirect: true, invite: [botAccount.userId], ...(o.encrypted ? { encrypted: true } : {}) });
        await person.waitFor(
          roomId,
          (e) => e.type === 'm.room.member' && e.state_key === botAccount.userId && e.content['membership'] === 'join',
          'the bot to join',
        );
        return roomId;
      },
      startBot: async (o = {}) => {
        const bot = await startBot({ configPath, env: botEnv, ...o });
        bots.push(bot);
        world.bot = bot;
        return bot;
      },
      stopBot: async (signal = 'SIGTERM') => {
        await world.bot?.kill(signal);
        world.bot = null;
      },
      botLog: () => bots.map((bot) => bot.stderr()).join('\n'),
      mustNotLog: (...more) => void texts.push(...more),
      close: async () => {
        await world.stopBot('SIGKILL');
        // For whoever is looking into a failure: DSAR_SHOW_BOT_LOG=1 prints what the bot logged.
        if (process.env['DSAR_SHOW_BOT_LOG'] === '1') console.log(world.botLog());
        let leaks: string[] = [];
        try {
          leaks = await realLogLeaks(world.botLog(), synapse, { tokens, texts, botUserId: botAccount.userId });
        } finally {
          await synapse.close();
          fs.rmSync(dir, { recursive: true, force: true });
        }
        if (leaks.length > 0) throw new Error(`the bot's log carries what it must not:\n${leaks.join('\n')}`);
      },
    };
    if (options.startBot !== false) await world.startBot();
    return world;
  } catch (error) {
    await synapse.close();
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
