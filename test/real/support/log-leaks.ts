// What the bot's log must never carry, checked against what the real server holds (as the fast
// tier's logLeaks in test/support/world.ts does against the test homeserver's model): an access
// token, an email address, an IPv4 address (the homeserver's loopback one included), or the text
// of a message someone sent (16 characters or more: long enough to be recognised).
import { adminRoomIds, adminUser, roomEvents } from './server-state.ts';
import type { RealSynapse } from './synapse.ts';

export type KnownSecrets = {
  /** Every access token the test made (the bot's among them). */
  tokens: readonly string[];
  /** Texts the server cannot show in the clear (what a person wrote in an encrypted room). */
  texts: readonly string[];
  botUserId: string;
};

export async function realLogLeaks(log: string, synapse: RealSynapse, known: KnownSecrets): Promise<string[]> {
  const found: string[] = [];
  const check = (what: string, value: string) => {
    if (value.length > 0 && log.includes(value)) found.push(`${what} (${value.slice(0, 12)}…)`);
  };
  for (const token of known.tokens) check('an access token', token);
  if (/\b\d{1,3}(?:\.\d{1,3}){3}\b/.test(log)) found.push('an IPv4 address');

  const users = (await synapse.ok('GET', '/_synapse/admin/v2/users?limit=1000&deactivated=true', { token: synapse.admin.accessToken })).users as Array<{
    name: string;
  }>;
  for (const { name } of users) {
    for (const threepid of ((await adminUser(synapse, name)).threepids ?? []) as Array<{ address: string }>)
      check('an email address or phone number', threepid.address);
  }
  const texts = [...known.texts];
  for (const roomId of await adminRoomIds(synapse)) {
    for (const event of await roomEvents(synapse, roomId)) {
      const body = event.content['body'];
      if (event.type === 'm.room.message' && event.sender !== known.botUserId && typeof body === 'string') texts.push(body);
    }
  }
  for (const text of texts) if (text.length >= 16) check('message text', text);
  return found;
}
