// The one change the bot makes to better-sqlite3 at run time, written against 13.2.0: a
// connection's prepare() hands out one statement per SQL text. Guard test:
// test/patches/better-sqlite3.test.ts.
import type Database from 'better-sqlite3';
import { type Patch, replaceMethod } from './guard.ts';

export const STATEMENT_REUSE: Patch = {
  library: 'better-sqlite3',
  version: '13.2.0',
  member: 'Database#prepare',
  why: 'every store prepares its SQL where it runs it, and preparing is most of the cost of a small query',
};

/**
 * Each SQL text is prepared once per connection and its statement reused: better-sqlite3 runs
 * statements synchronously, one at a time, so sharing one is safe (a statement being iterated
 * is busy until its iterator ends: the same SQL run inside that loop fails loudly, never silently).
 */
export function reusePreparedStatements(db: Database.Database): void {
  replaceMethod<(sql: string) => Database.Statement>(
    db,
    'prepare',
    STATEMENT_REUSE,
    (prepare) => {
      const prepared = new Map<string, Database.Statement>();
      return (sql: string) => {
        let statement = prepared.get(sql);
        if (statement === undefined) {
          statement = prepare.call(db, sql);
          prepared.set(sql, statement);
        }
        return statement;
      };
    },
    1,
  );
}
