// `npm start` without a homeserver: the demo plays a real conversation and prints it.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runDemo } from './demo.ts';

describe('the demo', () => {
  it('prints a transcript of !help, !whatdoyouhave in an encrypted chat, a group room and a remote user', async () => {
    const out = new PassThrough();
    let transcript = '';
    out.on('data', (chunk) => (transcript += chunk));
    expect(await runDemo(out)).toBe(0);
    expect(transcript).toMatch(/^alice: +🔒 !help$/m);
    expect(transcript).toMatch(/^bot: +🔒 /m);
    expect(transcript).toContain('end-to-end encryption is on, with the WebAssembly engine');
    expect(transcript).toContain('the homeserver stored only m.room.encrypted events from the bot in this chat');
    expect(transcript).toContain('`!whatdoyouhave` — exactly what this server stores about you');
    expect(transcript).toContain('## IP addresses');
    expect(transcript).toContain('203.0.113.7');
    expect(transcript).toMatch(/only answer it in a direct chat/);
    expect(transcript).toMatch(/^dave: +!whatdoyouhave$/m);
    expect(transcript).toContain('lives on remote.example');
    expect(transcript).toContain('Server and policy disagree');
  });
});
