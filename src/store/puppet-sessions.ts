// The PuppetLedger over SQLite: one row per login-as session from just before it is opened
// until it is gone (see homeserver/puppet-ledger.ts). Only whose account, which device and
// when: never a token.
import { z } from 'zod';
import { PuppetSession, type PuppetLedger } from '../homeserver/puppet-ledger.ts';
import type { Db } from './database.ts';

export class SqlitePuppetLedger implements PuppetLedger {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  begin(userId: string, createdAt: number): number {
    const result = this.#db.prepare('INSERT INTO puppet_sessions (user_id, created_at) VALUES (?, ?)').run(userId, createdAt);
    return Number(result.lastInsertRowid);
  }

  attachDevice(id: number, deviceId: string): void {
    this.#db.prepare('UPDATE puppet_sessions SET device_id = ? WHERE id = ?').run(deviceId, id);
  }

  end(id: number): void {
    this.#db.prepare('DELETE FROM puppet_sessions WHERE id = ?').run(id);
  }

  unfinished(): PuppetSession[] {
    const rows = this.#db
      .prepare('SELECT id, user_id AS userId, device_id AS deviceId, created_at AS createdAt FROM puppet_sessions ORDER BY id')
      .all();
    return z.array(PuppetSession).parse(rows);
  }
}
