// The PuppetLedger over SQLite: one row per login-as session from just before it is opened
// until it is gone (see homeserver/puppet-ledger.ts). Only whose account, which device, when
// and which process opened it: never a token.
import { z } from 'zod';
import { type PuppetLedger, PuppetSession } from '../homeserver/puppet-ledger.ts';
import type { Db } from './database.ts';

export class SqlitePuppetLedger implements PuppetLedger {
  readonly #db: Db;
  readonly #owner: string | null;

  /** `owner`: the process whose sessions these are (an export process's name); null for the bot itself. */
  constructor(db: Db, owner: string | null = null) {
    this.#db = db;
    this.#owner = owner;
  }

  begin(userId: string, createdAt: number): number {
    const result = this.#db.prepare('INSERT INTO puppet_sessions (user_id, created_at, owner) VALUES (?, ?, ?)').run(userId, createdAt, this.#owner);
    return Number(result.lastInsertRowid);
  }

  attachDevice(id: number, deviceId: string): void {
    this.#db.prepare('UPDATE puppet_sessions SET device_id = ? WHERE id = ?').run(deviceId, id);
  }

  end(id: number): void {
    this.#db.prepare('DELETE FROM puppet_sessions WHERE id = ?').run(id);
  }

  unfinished(owner?: string): PuppetSession[] {
    const columns = 'id, user_id AS userId, device_id AS deviceId, created_at AS createdAt';
    const rows =
      owner === undefined
        ? this.#db.prepare(`SELECT ${columns} FROM puppet_sessions ORDER BY id`).all()
        : this.#db.prepare(`SELECT ${columns} FROM puppet_sessions WHERE owner = ? ORDER BY id`).all(owner);
    return z.array(PuppetSession).parse(rows);
  }
}
