// The pure pieces of an export: paths, the plan of parts, membership history, event lines,
// the pull-based pager, and the period between two exports of one person.
import { describe, expect, it } from 'vitest';
import { tooSoonAfter } from '../../src/export/lifecycle/export-desk.ts';
import { describeEvent, eventLine } from '../../src/export/package/event-html.ts';
import { membershipHistory, needsCurrentMemberEvent } from '../../src/export/package/membership-history.ts';
import { dataBound, entryBound, PART_OVERHEAD, PartLimitTooSmall, planParts } from '../../src/export/package/parts.ts';
import { chunkPath, extensionFor, isSafeEntryPath, mediaPath, messagesPath } from '../../src/export/package/paths.ts';
import type { StoredEvent } from '../../src/homeserver/homeserver.ts';
import { ConsumerStopped, pulled } from '../../src/homeserver/pulled.ts';
import type { Request } from '../../src/requests/request.ts';

const ALICE = '@alice:example.org';
const event = (over: Partial<StoredEvent> & Record<string, unknown>): StoredEvent => ({
  event_id: '$e',
  type: 'm.room.message',
  sender: ALICE,
  origin_server_ts: Date.UTC(2026, 10, 28, 12, 34, 56),
  content: {},
  ...over,
});

describe('paths', () => {
  it('takes extensions from a short allow-list by content type, never from a file name', () => {
    expect(extensionFor('image/PNG; charset=binary')).toBe('png');
    expect(extensionFor('text/html')).toBe('bin');
    expect(extensionFor('image/svg+xml')).toBe('bin');
    expect(extensionFor('../../etc/passwd')).toBe('bin');
    expect(extensionFor(null)).toBe('bin');
    expect(mediaPath(3, 'application/pdf')).toBe('media/3.pdf');
    expect(messagesPath(12)).toBe('data/messages/12.jsonl');
    expect(() => mediaPath(0, null)).toThrow();
  });

  it('accepts only plain relative paths', () => {
    for (const ok of ['index.html', 'data/rooms.json', 'data/messages/1.jsonl', 'media/7.mp4', 'pages/room-2-3.html', chunkPath('media/7.mp4', 2)])
      expect(isSafeEntryPath(ok), ok).toBe(true);
    for (const bad of [
      '../x.json',
      '/etc/passwd',
      'data/../../x.json',
      'media/a\u0000b.png',
      'media\\x.png',
      `media/${'a'.repeat(300)}.png`,
      'data/a b.json',
      'C:/x.txt',
      'media/x',
    ]) {
      expect(isSafeEntryPath(bad), bad).toBe(false);
    }
  });
});

describe('planParts', () => {
  const file = (path: string, size: number, deflatedSize: number | null = null) => ({ path, size, deflatedSize });
  const bound = (parts: ReturnType<typeof planParts>, files: ReturnType<typeof file>[]) =>
    parts.map((p) => p.entries.reduce((sum, e) => sum + entryBound(e.name, e.store ? e.length : dataBound(files.find((f) => f.path === e.source)!)), 0));

  it('keeps everything in one part when it fits', () => {
    const plan = planParts([file('index.html', 5000, 800), file('media/1.png', 3000)], 1_000_000, 1000);
    expect(plan).toHaveLength(1);
    expect(plan[0]!.entries.map((e) => [e.name, e.store])).toEqual([
      ['index.html', false],
      ['media/1.png', true],
    ]);
  });

  it('fills parts in order within the limit, counting deflated sizes for text', () => {
    const files = [file('index.html', 900_000, 90_000), ...Array.from({ length: 10 }, (_, i) => file(`media/${i + 1}.jpg`, 40_000))];
    const plan = planParts(files, 100_000, 2000);
    expect(plan.length).toBeGreaterThan(4);
    for (const used of bound(plan, files)) expect(used).toBeLessThanOrEqual(100_000 - PART_OVERHEAD - 2000);
    expect(plan.flatMap((p) => p.entries.map((e) => e.name))).toEqual(files.map((f) => f.path));
  });

  it('cuts a file too big for any part into stored pieces that join back to the whole', () => {
    const plan = planParts([file('media/1.mp4', 250_000)], 100_000, 2000);
    const pieces = plan.flatMap((p) => p.entries);
    expect(pieces.map((e) => e.name)).toEqual(['media/1.mp4.001', 'media/1.mp4.002', 'media/1.mp4.003']);
    expect(pieces.every((e) => e.store && e.source === 'media/1.mp4')).toBe(true);
    let sum = 0;
    for (const e of pieces) {
      expect(e.offset).toBe(sum);
      sum += e.length;
    }
    expect(sum).toBe(250_000);
  });

  it('refuses a limit that cannot hold the manifest', () => {
    expect(() => planParts([file('index.html', 10)], 3000, 2000)).toThrow(PartLimitTooSmall);
  });
});

describe('membership history', () => {
  const join = event({ type: 'm.room.member', state_key: ALICE, content: { membership: 'join' }, event_id: '$join', origin_server_ts: 1 });
  const leave = event({ type: 'm.room.member', state_key: ALICE, content: { membership: 'leave' }, event_id: '$leave', origin_server_ts: 2 });
  const ban = event({
    type: 'm.room.member',
    state_key: ALICE,
    sender: '@bob:example.org',
    content: { membership: 'ban' },
    event_id: '$ban',
    origin_server_ts: 3,
  });

  it('asks for the current member event only where someone else set the membership', () => {
    expect(needsCurrentMemberEvent('join', [join])).toBe(false);
    expect(needsCurrentMemberEvent('leave', [join, leave])).toBe(false);
    expect(needsCurrentMemberEvent('leave', [join])).toBe(true); // kicked, or banned (read as leave)
    expect(needsCurrentMemberEvent('invite', [])).toBe(true);
  });

  it('joins her own events and the current one, oldest first, each once', () => {
    expect(membershipHistory([join], ban).map((e) => e.event_id)).toEqual(['$join', '$ban']);
    expect(membershipHistory([join, leave], leave).map((e) => e.event_id)).toEqual(['$join', '$leave']);
    expect(membershipHistory([], null)).toEqual([]);
  });
});

describe('event lines', () => {
  const none = () => undefined;
  it('escapes everything a person wrote, and links only files of the export', () => {
    const line = eventLine(event({ content: { msgtype: 'm.text', body: '<script>alert(1)</script>' } }), ALICE, none);
    expect(line).toBe('<li><time>12:34:56</time><span class="body">&lt;script&gt;alert(1)&lt;/script&gt;</span></li>\n');
    const file = describeEvent(
      event({ content: { msgtype: 'm.file', body: 'x', filename: '"><img src=x onerror=alert(1)>', url: 'mxc://example.org/abc' } }),
      ALICE,
      (mxc) => (mxc === 'mxc://example.org/abc' ? 'media/1.pdf' : undefined),
    );
    expect(file).toContain('<a href="media/1.pdf">media/1.pdf</a>');
    expect(file).not.toContain('<img');
    const foreign = describeEvent(event({ content: { msgtype: 'm.image', body: 'y', url: 'javascript:alert(1)' } }), ALICE, none);
    expect(foreign).not.toContain('href');
  });

  it('says plainly what the server cannot read, and what was deleted', () => {
    expect(describeEvent(event({ type: 'm.room.encrypted', content: { ciphertext: 'abc' } }), ALICE, none)).toMatch(/cannot decrypt/);
    expect(describeEvent(event({ content: {}, unsigned: { redacted_because: {} } }), ALICE, none)).toMatch(/deleted/);
    expect(describeEvent(event({ type: 'm.room.member', state_key: ALICE, content: { membership: 'leave' } }), ALICE, none)).toBe('left the room');
  });
});

describe('pulled', () => {
  it('hands over pages as they are asked for, fetching at most one ahead', async () => {
    const fetched: number[] = [];
    const pages = pulled<number>(async (emit) => {
      for (let i = 1; i <= 4; i++) {
        fetched.push(i);
        await emit(i);
      }
    });
    const seen: number[] = [];
    for await (const page of pages) {
      seen.push(page);
      await new Promise((r) => setTimeout(r, 5));
      expect(fetched.length).toBeLessThanOrEqual(page + 1);
    }
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('lets the producer clean up when the consumer stops early, before the loop ends', async () => {
    const events: string[] = [];
    const pages = pulled<number>(async (emit) => {
      try {
        for (let i = 1; ; i++) await emit(i);
      } catch (error) {
        events.push(error instanceof ConsumerStopped ? 'stopped' : 'other');
        throw error;
      } finally {
        events.push('logged out');
      }
    });
    for await (const page of pages) if (page === 2) break;
    expect(events).toEqual(['stopped', 'logged out']);
  });

  it('passes the producer’s failure to the consumer', async () => {
    const pages = pulled<number>(async (emit) => {
      await emit(1);
      throw new Error('server down');
    });
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const page of pages) seen.push(page);
      })(),
    ).rejects.toThrow('server down');
    expect(seen).toEqual([1]);
  });
});

describe('one export per person per period', () => {
  const HOUR = 3_600_000;
  const now = Date.UTC(2026, 10, 28, 12);
  const request = (id: string, state: Request['state'], hoursAgo: number, kind: Request['kind'] = 'export'): Request => ({
    id,
    kind,
    state,
    userId: ALICE,
    roomId: '!dm:example.org',
    sourceEventId: null,
    enteredBy: null,
    receivedAt: now - hoursAgo * HOUR,
    dueAt: now,
    updatedAt: now,
    closedAt: null,
    extendedAt: null,
    extensionReason: null,
    decidedBy: null,
    decisionReason: null,
    detail: {},
    pseudonymisedAt: null,
  });

  it('counts the last delivered export from when it was asked for', () => {
    const last = request('R-AAAA', 'completed', 3);
    expect(tooSoonAfter([request('R-BBBB', 'completed', 30), last], 24, now)).toEqual({ last, nextAt: now + 21 * HOUR });
    expect(tooSoonAfter([request('R-BBBB', 'completed', 24)], 24, now)).toBeNull();
  });

  it('does not count exports that gave the person nothing, nor other kinds of request', () => {
    for (const state of ['failed', 'cancelled', 'denied'] as const) expect(tooSoonAfter([request('R-AAAA', state, 1)], 24, now)).toBeNull();
    expect(tooSoonAfter([request('R-AAAA', 'completed', 1, 'access')], 24, now)).toBeNull();
  });

  it('0 hours: no limit', () => {
    expect(tooSoonAfter([request('R-AAAA', 'completed', 0)], 0, now)).toBeNull();
  });
});
