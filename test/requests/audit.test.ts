// The audit trail catches a changed, a removed and a reordered entry, naming the first broken one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.ts';
import { type Db, openDatabase } from '../../src/store/database.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function logWith(entries: number): { db: Db; log: AuditLog } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-audit-'));
  dirs.push(dir);
  const db = openDatabase(dir);
  const log = new AuditLog(db);
  for (let i = 1; i <= entries; i++)
    log.append({ at: 1000 + i, requestId: `R-000${i}`, actor: i % 2 ? 'bot' : '@admin:example.org', action: 'state', detail: { to: 'completed', n: i } });
  return { db, log };
}

/** What someone with a sqlite3 shell could do: the triggers are only a guard against mistakes. */
const unguard = (db: Db) => db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');

describe('the audit trail', () => {
  it('verifies an untouched chain', () => {
    const { db, log } = logWith(5);
    expect(log.verify()).toEqual({ ok: true, entries: 5, head: log.head() });
    db.close();
  });

  it('refuses updates and deletes through SQL', () => {
    const { db } = logWith(2);
    expect(() => db.prepare("UPDATE audit_log SET actor = 'x' WHERE seq = 1").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 1').run()).toThrow(/append-only/);
    db.close();
  });

  it('catches a changed entry', () => {
    const { db, log } = logWith(5);
    unguard(db);
    db.prepare(`UPDATE audit_log SET detail = '{"to":"denied","n":3}' WHERE seq = 3`).run();
    expect(log.verify()).toMatchObject({ ok: false, firstBroken: 3, problem: /changed/ });
    db.close();
  });

  it('catches a changed entry whose hash was recomputed too, at the next link', () => {
    const { db, log } = logWith(5);
    unguard(db);
    db.prepare(`UPDATE audit_log SET actor = '@mallory:example.org', hash = 'f'||substr(hash, 2) WHERE seq = 2`).run();
    const result = log.verify();
    expect(result).toMatchObject({ ok: false, firstBroken: 2 });
    db.close();
  });

  it('catches a removed entry in the middle and at the end', () => {
    const middle = logWith(5);
    unguard(middle.db);
    middle.db.prepare('DELETE FROM audit_log WHERE seq = 2').run();
    expect(middle.log.verify()).toMatchObject({ ok: false, firstBroken: 3, problem: /entries 2 to 2 are missing/ });
    middle.db.close();

    const end = logWith(5);
    unguard(end.db);
    end.db.prepare('DELETE FROM audit_log WHERE seq = 5').run();
    expect(end.log.verify()).toMatchObject({ ok: false, firstBroken: 5, problem: /ends at entry 4/ });
    end.db.close();
  });

  it('catches two entries swapped', () => {
    const { db, log } = logWith(5);
    unguard(db);
    const row = (seq: number) =>
      db.prepare('SELECT at, request_id, actor, action, detail, prev_hash, hash FROM audit_log WHERE seq = ?').get(seq) as Record<string, unknown>;
    const [a, b] = [row(2), row(3)];
    const put = db.prepare(
      'UPDATE audit_log SET at = @at, request_id = @request_id, actor = @actor, action = @action, detail = @detail, prev_hash = @prev_hash, hash = @hash WHERE seq = @seq',
    );
    put.run({ ...b, seq: 2 });
    put.run({ ...a, seq: 3 });
    expect(log.verify()).toMatchObject({ ok: false, firstBroken: 2 });
    db.close();
  });
});
