// The admins' request commands through the command harness: !requests, !request, !extend,
// !report and !audit verify, in the admin room.
import { afterEach, describe, expect, it } from 'vitest';
import { commandHarness, type Harness } from '../support/command-harness.ts';

let h: Harness;
afterEach(() => h.close());

const idIn = (text: string): string => /R-[A-Z0-9]{4}/.exec(text)![0];

describe('!requests', () => {
  it('none open: says so; open ones: most urgent first, with who asked and the days left', async () => {
    h = commandHarness();
    expect(await h.ask(h.admin, h.adminRoom, '!requests')).toBe('No open requests.');
    const exportId = idIn(await h.ask(h.alice, h.directChat(h.alice), '!export'));
    h.advance(24 * 60 * 60 * 1000);
    const contactId = idIn(await h.ask(h.bob, h.directChat(h.bob), '!contact hello there'));
    const text = await h.ask(h.admin, h.adminRoom, '!requests');
    expect(text).toMatch(
      new RegExp(
        `^Open requests \\(2\\), most urgent first:\\n\\n- \`${exportId}\` export \\(a copy of your data\\) from \`@alice:example\\.org\`: scheduled, due .* \\(29 day\\(s\\) left\\)\\n` +
          `- \`${contactId}\` message to the privacy contact from \`@bob:example\\.org\`: received, due .* \\(30 day\\(s\\) left\\)$`,
      ),
    );
  });
});

describe('!request', () => {
  it('one request’s whole timeline; an unknown ID is said plainly', async () => {
    h = commandHarness();
    const id = idIn(await h.ask(h.alice, h.directChat(h.alice), '!export'));
    const text = await h.ask(h.admin, h.adminRoom, `!request ${id}`);
    expect(text).toMatch(new RegExp(`^Request ${id} \\(export \\(a copy of your data\\)\\) from \`@alice:example\\.org\`: scheduled, due .*\\.`));
    expect(text).toMatch(/`requester` opened it, due \d{4}-\d{2}-\d{2}/);
    expect(text).toContain('`bot` received → scheduled');
    expect(await h.ask(h.admin, h.adminRoom, '!request R-ZZZZ')).toBe('There is no request R-ZZZZ.');
  });
});

describe('!extend', () => {
  it('extends once by two months, the requester told the reason in their chat; not twice', async () => {
    h = commandHarness();
    const dm = h.directChat(h.alice);
    const id = idIn(await h.ask(h.alice, dm, '!correct my birthday'));
    const text = await h.ask(h.admin, h.adminRoom, `!extend ${id} we are waiting for the backup tapes`);
    expect(text).toMatch(new RegExp(`^Request \`${id}\` is now due \\d{4}-\\d{2}-\\d{2}\\. The requester was told the reason\\.$`));
    expect(h.textsIn(dm).at(-1)).toMatch(
      new RegExp(
        `^The deadline of your request \`${id}\` \\(correction\\) was extended to \\d{4}-\\d{2}-\\d{2}, as the law allows once \\(GDPR Art\\. 12\\(3\\)\\)\\. The reason: we are waiting for the backup tapes$`,
      ),
    );
    expect(h.desk.requests.get(id)?.extensionReason).toBe('we are waiting for the backup tapes');
    expect(await h.ask(h.admin, h.adminRoom, `!extend ${id} again`)).toBe(
      `Not extended: request ${id} cannot be extended: it was already extended once, which is all the law allows.`,
    );
  });

  it('needs a reason, and a request that exists', async () => {
    h = commandHarness();
    expect(await h.ask(h.admin, h.adminRoom, '!extend R-ZZZZ')).toBe(
      'I could not read that: it needs the reason after it. Usage: `!extend <request ID> <reason>`.',
    );
    expect(await h.ask(h.admin, h.adminRoom, '!extend R-ZZZZ busy')).toBe('Not extended: request R-ZZZZ cannot be extended: there is no request R-ZZZZ.');
  });
});

describe('!report', () => {
  it('this year by default: counts per kind and outcome, no identities', async () => {
    h = commandHarness();
    await h.ask(h.alice, h.directChat(h.alice), '!export');
    await h.ask(h.bob, h.directChat(h.bob), '!object to profiling');
    const text = await h.ask(h.admin, h.adminRoom, '!report');
    const year = new Date(h.now()).getUTCFullYear();
    expect(text).toMatch(new RegExp(`^Transparency report, ${year}-01-01 to ${year}-\\d{2}-\\d{2}: 2 request\\(s\\)\\.`));
    expect(text).toContain('- Export: 1 (0 completed, 0 denied, 0 cancelled, 0 failed, 1 open)');
    expect(text).toContain('- Objection: 1 (0 completed, 0 denied, 0 cancelled, 0 failed, 1 open)');
    expect(text).not.toContain('alice');
  });

  it('a given range; a range that ends before it starts, or a date that is not one, is refused', async () => {
    h = commandHarness();
    expect(await h.ask(h.admin, h.adminRoom, '!report 2020-01-01 2020-12-31')).toMatch(/^Transparency report, 2020-01-01 to 2020-12-31: 0 request\(s\)\./);
    expect(await h.ask(h.admin, h.adminRoom, '!report 2026-12-31 2026-01-01')).toBe('The report’s start date is after its end date.');
    expect(await h.ask(h.admin, h.adminRoom, '!report 2026-02-30')).toBe(
      'I could not read that: “2026-02-30” is not a from (YYYY-MM-DD) (for example `2026-01-31`). Usage: `!report [from (YYYY-MM-DD)] [to (YYYY-MM-DD)]`.',
    );
  });
});

describe('!audit verify', () => {
  it('intact: the number of entries and the last hash; changed: where it breaks', async () => {
    h = commandHarness();
    await h.ask(h.alice, h.directChat(h.alice), '!export');
    expect(await h.ask(h.admin, h.adminRoom, '!audit verify')).toMatch(
      /^The audit trail is intact: 2 entries, the last one `2` with SHA-256 `[0-9a-f]{64}`\.$/,
    );
    h.db.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'someone else' WHERE seq = 1");
    expect(await h.ask(h.admin, h.adminRoom, '!audit verify')).toMatch(
      /^The audit trail is broken at entry 1: .+\. Keep the database file as it is and investigate\.$/,
    );
  });

  it('needs the word verify', async () => {
    h = commandHarness();
    expect(await h.ask(h.admin, h.adminRoom, '!audit')).toBe('I could not read that: it needs the verify (for example `verify`). Usage: `!audit <verify>`.');
    expect(await h.ask(h.admin, h.adminRoom, '!audit VERIFY')).toContain('The audit trail is intact');
  });
});
