// A request service on a real SQLite file, with a clock the test moves.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditLog } from '../../src/audit/audit-log.ts';
import { pseudonymiser } from '../../src/requests/pseudonym.ts';
import { RequestService } from '../../src/requests/requests.ts';
import { type Db, openDatabase } from '../../src/store/database.ts';

export const DAY = 86_400_000;

export type Clock = { now: () => number; advance(ms: number): void; set(at: number): void };

export function clock(start = Date.UTC(2026, 10, 2, 9)): Clock {
  let at = start;
  return {
    now: () => at,
    advance: (ms) => {
      at += ms;
    },
    set: (value) => {
      at = value;
    },
  };
}

export type Fixture = { dir: string; db: Db; audit: AuditLog; requests: RequestService; clock: Clock; reopen(): Fixture; close(): void };

export function requestFixture(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-requests-')), time: Clock = clock()): Fixture {
  const db = openDatabase(dir);
  const audit = new AuditLog(db);
  const requests = new RequestService({ db, audit, pseudonymise: pseudonymiser('test key, not secret'), responseDays: 30, now: time.now });
  return {
    dir,
    db,
    audit,
    requests,
    clock: time,
    reopen: () => {
      db.close();
      return requestFixture(dir, time);
    },
    close: () => {
      if (db.open) db.close();
    },
  };
}

export const removeDir = (dir: string) => fs.rmSync(dir, { recursive: true, force: true });
