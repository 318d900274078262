// The test homeserver for `npm run bench:export`, in a process of its own so that its memory
// (it holds the whole synthetic history) does not count against the exporting process. Seeds
// a user with `messages` messages across `rooms` rooms (and a quarter as many from someone
// else, which the export must skip) and uploads of `mediaBytes` in all, generated as they are
// downloaded; prints one JSON line {url, token, serverName} and serves until stdin closes.
import { type Flavour, startTestHomeserver } from '../src/test-homeserver/index.ts';

const [messagesArg, roomsArg, mediaArg, flavourArg] = process.argv.slice(2);
const messages = Number(messagesArg);
const rooms = Number(roomsArg);
const mediaBytes = Number(mediaArg);
const flavour = (flavourArg ?? 'synapse') as Flavour;

const hs = await startTestHomeserver({ flavour, serverName: 'bench.local' });
const m = hs.model;
const bot = m.addUser({ localpart: 'privacybot', admin: true });
const alice = m.addUser({ localpart: 'alice', displayName: 'Alice', emails: ['alice@bench.local'] });
const bob = m.addUser({ localpart: 'bob' });

const sentence = (i: number) => `message ${i}: the quick brown fox jumps over the lazy dog, and then some more words to read`;
for (let r = 0; r < rooms; r++) {
  const room = m.createRoom(bob.userId, { name: `Room ${r + 1}`, invite: [alice.userId] });
  m.join(room, alice.userId);
  const mine = Math.floor(messages / rooms) + (r < messages % rooms ? 1 : 0);
  // Interleaved in blocks, as a conversation is: four of Alice's, then one of Bob's.
  for (let done = 0; done < mine; done += 400) {
    const block = Math.min(400, mine - done);
    m.appendMessages(room, alice.userId, block, (i) => sentence(done + i));
    m.appendMessages(room, bob.userId, Math.ceil(block / 4), (i) => `bob says ${i}`);
  }
}
const FILE = 4 * 1024 * 1024;
for (let left = mediaBytes, n = 0; left > 0; left -= FILE, n++) {
  m.uploadGeneratedMedia(alice.userId, { contentType: 'video/mp4', length: Math.min(FILE, left), seed: n + 1, filename: `clip-${n}.mp4` });
}

process.stdout.write(`${JSON.stringify({ url: hs.url, token: bot.accessToken, serverName: hs.serverName, user: alice.userId })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void hs.close().then(() => process.exit(0)));
