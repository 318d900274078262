// Exports as a person receives them, for end-to-end tests: a history to export, the bot's
// m.file messages in a room, each part downloaded from the media repository, checked against
// the SHA-256 its message gives, and all parts unzipped together (read-package.ts).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { downloadAsClient } from '../../src/demo/download.ts';
import type { TestHomeserver } from '../../src/test-homeserver/index.ts';
import { botMessages } from '../support/bot-messages.ts';
import { type ReadPackage, readZipParts } from './read-package.ts';

export { botBodies, botMessages, requestIdIn } from '../support/bot-messages.ts';

type Json = Record<string, any>;

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** The bot's m.file messages in a room (in the clear), their content. */
export const fileMessages = (hs: TestHomeserver, botId: string, roomId: string): Json[] =>
  botMessages(hs.model, botId, roomId)
    .map((ev) => ev.content as Json)
    .filter((content) => content['msgtype'] === 'm.file');

/**
 * Downloads an upload as the person with `token` does in their client: through authenticated
 * media where the server has it (current Synapse and Tuwunel serve uploads nowhere else), else
 * the unauthenticated path (Synapse 1.67).
 */
export async function download(hs: TestHomeserver, mxc: string, token: string): Promise<{ status: number; bytes: Buffer }> {
  const response = await downloadAsClient(hs.url, mxc, token);
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** Every delivered part downloaded into `dir` (as the person with `token`), its size and SHA-256 checked against its message, and all unzipped together. */
export async function unzipDelivered(hs: TestHomeserver, files: readonly Json[], dir: string, token: string): Promise<ReadPackage> {
  const paths: string[] = [];
  for (const [i, content] of files.entries()) {
    const got = await download(hs, content['url'], token);
    expect(got.status).toBe(200);
    expect(got.bytes.length).toBe(content['info'].size);
    expect(content['body']).toContain(sha256(got.bytes));
    paths.push(path.join(dir, `part-${i + 1}.zip`));
    fs.writeFileSync(paths[i]!, got.bytes);
  }
  return readZipParts(paths);
}

/** Alice's history: a room she stayed in (with Bob), a room she left, an upload she showed. */
export function seedHistory(hs: TestHomeserver, alice: string, bob: string) {
  const m = hs.model;
  const club = m.createRoom(bob, { name: 'Book club', invite: [alice] });
  m.join(club, alice);
  const said = ['Alice: hello everyone', 'Alice: chapter 3 was the best'];
  m.sendMessage(club, bob, 'Bob: welcome, Alice');
  for (const text of said) m.sendMessage(club, alice, text);
  const notes = m.uploadMedia(alice, { contentType: 'text/plain', bytes: Buffer.from('Alice’s notes: buy tea.\n'), filename: 'notes.txt' });
  m.sendMessage(club, alice, 'notes.txt', { msgtype: 'm.file', extraContent: { url: notes } });
  const left = m.createRoom(bob, { name: 'Old project', invite: [alice] });
  m.join(left, alice);
  m.sendMessage(left, alice, 'Alice: goodbye, project');
  m.leave(left, alice);
  m.sendMessage(left, bob, 'Bob: after Alice left');
  return { club, left, said: [...said, 'notes.txt'], saidInLeft: ['Alice: goodbye, project'], bobSaid: ['Bob: welcome, Alice', 'Bob: after Alice left'] };
}

/** Every page of a room's messages (admin API) answered slowly, as a real homeserver does. */
export const slowRoomPages = (hs: TestHomeserver, ms: number): void =>
  hs.faults.add({ path: /\/_synapse\/admin\/v1\/rooms\/[^/]+\/messages$/, kind: 'latency', latencyMs: ms, times: 1000 });
