// Guard test for src/patches/better-sqlite3.ts: a connection's prepare() is a one-parameter
// method of Database.prototype that returns a new statement each call; patched, one statement
// per SQL text, which still runs as before.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { reusePreparedStatements, STATEMENT_REUSE } from '../../src/patches/better-sqlite3.ts';
import { installedVersion, PatchTargetChanged } from '../../src/patches/guard.ts';

describe('the patch to better-sqlite3', () => {
  it('is written against the installed version', () => {
    expect(installedVersion('better-sqlite3')).toBe(STATEMENT_REUSE.version);
  });

  it('prepare() is a method of Database.prototype taking the SQL, and gives a new statement each call', () => {
    const db = new Database(':memory:');
    expect(Object.getPrototypeOf(db)).toBe(Database.prototype);
    expect(Object.hasOwn(Database.prototype, 'prepare')).toBe(true);
    expect(Database.prototype.prepare.length).toBe(1);
    expect(db.prepare('SELECT 1')).not.toBe(db.prepare('SELECT 1'));
    db.close();
  });

  it('patched, the same SQL gives the same statement, which runs as before, on this connection only', () => {
    const db = new Database(':memory:');
    const other = new Database(':memory:');
    reusePreparedStatements(db);
    db.exec('CREATE TABLE t (x INTEGER)');
    const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
    expect(db.prepare('INSERT INTO t (x) VALUES (?)')).toBe(insert);
    for (const x of [1, 2, 3]) db.prepare('INSERT INTO t (x) VALUES (?)').run(x);
    expect(db.prepare('SELECT sum(x) AS s FROM t').get()).toEqual({ s: 6 });
    expect(other.prepare('SELECT 1')).not.toBe(other.prepare('SELECT 1'));
    db.close();
    other.close();
  });

  it('refuses a connection whose prepare() is not the method it was written for', () => {
    const changed = { prepare: (sql: string, extra: unknown) => [sql, extra] } as unknown as Database.Database;
    expect(() => reusePreparedStatements(changed)).toThrow(PatchTargetChanged);
  });
});
