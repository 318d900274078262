// Start-up checks of the tokens, before the bot does anything else: the bot token
// must work and belong to bot.userId; the admin token must be a server admin's.
// Each failure becomes a StartupError that tells the operator what to do.
import { z } from 'zod';
import type { BotConfig, Secrets } from '../config/load.ts';
import { HomeserverError } from '../homeserver/errors.ts';
import { createHomeserverHttp, endpoint } from '../homeserver/http.ts';
import { StartupError } from '../startup-error.ts';

const WhoAmI = z.object({ user_id: z.string() }).loose();
const Anything = z.unknown();

function tokenName(secrets: Secrets, which: 'bot' | 'admin'): string {
  return which === 'bot' || !secrets.adminTokenIsSeparate ? 'DSAR_BOT_ACCESS_TOKEN' : 'DSAR_ADMIN_ACCESS_TOKEN';
}

/** A client for one token; start-up gives up sooner than the running bot (2 retries). */
export const clientFor = (config: BotConfig, token: string) =>
  createHomeserverHttp({ baseUrl: config.homeserver.url, accessToken: token, timeoutMs: config.homeserver.requestTimeoutMs, maxRetries: 2 });

async function whoami(config: BotConfig, token: string, name: string): Promise<string> {
  const http = clientFor(config, token);
  try {
    const answer = await http.request('GET', endpoint('/_matrix/client/v3/account/whoami'), { schema: WhoAmI });
    return answer.user_id;
  } catch (error) {
    if (error instanceof HomeserverError && error.kind === 'unauthorized') {
      throw new StartupError(
        `the homeserver refused ${name} (${error.errcode ?? 'unauthorized'}): the token is wrong or was logged out. Log in as the account again and set a fresh token.`,
      );
    }
    if (error instanceof HomeserverError) {
      throw new StartupError(`${error.userMessage} Check homeserver.url in the config and that the homeserver is running.`);
    }
    throw error;
  }
}

export async function checkTokens(config: BotConfig, secrets: Secrets): Promise<void> {
  const botUser = await whoami(config, secrets.botToken, tokenName(secrets, 'bot'));
  if (botUser !== config.bot.userId) {
    throw new StartupError(
      `DSAR_BOT_ACCESS_TOKEN belongs to ${botUser}, but bot.userId in the config is ${config.bot.userId}. Use a token of ${config.bot.userId}, or correct bot.userId.`,
    );
  }
  const adminName = tokenName(secrets, 'admin');
  const adminUser = secrets.adminTokenIsSeparate ? await whoami(config, secrets.adminToken, adminName) : botUser;
  const admin = clientFor(config, secrets.adminToken);
  try {
    await admin.request('GET', endpoint('/_synapse/admin/v2/users/{userId}', { userId: config.bot.userId }), { schema: Anything });
  } catch (error) {
    if (error instanceof HomeserverError && error.kind === 'forbidden') {
      throw new StartupError(
        `${adminName} belongs to ${adminUser}, who is not a server admin, so the admin API refuses it. ` +
          'Make that account a server admin (README: "Making the bot account a homeserver admin"), or set DSAR_ADMIN_ACCESS_TOKEN to an admin\'s token.',
      );
    }
    // A server without the admin API (unsupported) is named by the capability check, not here.
    if (!(error instanceof HomeserverError) || (error.kind !== 'unsupported' && error.kind !== 'not-found')) throw error;
  }
}
