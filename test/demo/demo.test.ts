// `npm start` without a homeserver: the demo plays a real conversation and prints it.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/demo.ts';

describe('the demo', () => {
  it('prints a transcript of !help, !whatdoyouhave in an encrypted chat, a group room, a remote user, a relayed objection, !status, an export, an escalation and an erasure', async () => {
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
    expect(transcript).toMatch(/a moment later the bot edits its answer, 🔒, with the message count: \d+ message\(s\) you sent/);
    expect(transcript).toContain('203.0.113.7');
    expect(transcript).toMatch(/only answer it in a direct chat/);
    expect(transcript).toMatch(/^dave: +!whatdoyouhave$/m);
    expect(transcript).toContain('lives on remote.example');
    expect(transcript).toContain('Server and policy disagree');
    // An export, delivered encrypted into the direct chat, opened by Alice's client.
    expect(transcript).toMatch(/^alice: +🔒 !export$/m);
    expect(transcript).toMatch(/^bot: +🔒 \[file matrix-data-\d{4}-\d{2}-\d{2}\.zip\] Your data export \(/m);
    expect(transcript).toMatch(/Your export R-[0-9A-Z]{4} is ready/);
    expect(transcript).toMatch(/It is end-to-end encrypted: only your devices can open it/);
    expect(transcript).toMatch(/Inside:\n +data\/account\.json, .*index\.html, manifest\.json/);
    // The request lifecycle: relay both ways, !status, and one escalation.
    expect(transcript).toMatch(/^alice: +🔒 !object /m);
    expect(transcript).toMatch(/^admin: +!reply R-[0-9A-Z]{4} /m);
    expect(transcript).toMatch(/The privacy contact answers your request R-[0-9A-Z]{4}/);
    expect(transcript).toMatch(/^alice: +🔒 !status$/m);
    expect(transcript).toMatch(/objection: in progress, due/);
    expect(transcript.match(/Request R-[0-9A-Z]{4} is due in 6 day\(s\) and is not finished/g)).toHaveLength(1);
    expect(transcript.match(/Reminder: request R-[0-9A-Z]{4} \(objection\) is due in 6 day\(s\)/g)).toHaveLength(1);
    // An erasure: confirmed with a code, approved by an admin, run after the cooling-off, verified on the server.
    expect(transcript).toMatch(/^bob: +!delete confirm \d{6}$/m);
    expect(transcript).toMatch(/^admin: +!approve R-[0-9A-Z]{4}$/m);
    expect(transcript).toContain('Rooms they are or were in: ');
    expect(transcript).toMatch(/Your account is being erased now \(request `R-[0-9A-Z]{4}`\)/);
    expect(transcript).toMatch(/Erasure R-[0-9A-Z]{4} of `@bob:example.org`: verified\. Every read-back passed\./);
    expect(transcript).toMatch(/Bob's account is deactivated; of his 1 message\(s\) in the book club, 1 redacted/);
  });
});
