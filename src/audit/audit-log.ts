// The append-only audit trail in SQLite (table audit_log, head in meta). Appends happen
// inside the caller's transaction, so a transition and its audit entry are one write.
import { z } from 'zod';
import type { Db } from '../store/database.ts';
import { type AuditEntry, type Head, seal, type Verification, verifyChain } from './chain.ts';

const HEAD_KEY = 'audit_head';

const Row = z.object({
  seq: z.number().int(),
  at: z.number(),
  requestId: z.string().nullable(),
  actor: z.string(),
  action: z.string(),
  detail: z.string(),
  prevHash: z.string(),
  hash: z.string(),
});
const HeadValue = z.object({ seq: z.number().int(), hash: z.string() });

const SELECT = 'SELECT seq, at, request_id AS requestId, actor, action, detail, prev_hash AS prevHash, hash FROM audit_log';

export type AuditRecord = { at: number; requestId: string | null; actor: string; action: string; detail?: Record<string, unknown> };

export class AuditLog {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  append(record: AuditRecord): AuditEntry {
    const head = this.head();
    const entry = seal(
      {
        seq: (head?.seq ?? 0) + 1,
        at: record.at,
        requestId: record.requestId,
        actor: record.actor,
        action: record.action,
        detail: JSON.stringify(record.detail ?? {}),
      },
      head?.hash ?? '0'.repeat(64),
    );
    this.#db.transaction(() => {
      this.#db
        .prepare('INSERT INTO audit_log (seq, at, request_id, actor, action, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(entry.seq, entry.at, entry.requestId, entry.actor, entry.action, entry.detail, entry.prevHash, entry.hash);
      this.#db
        .prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
        .run(HEAD_KEY, JSON.stringify({ seq: entry.seq, hash: entry.hash }));
    })();
    return entry;
  }

  /** The last entry as recorded beside the log, or null before the first. */
  head(): Head | null {
    const row = this.#db.prepare('SELECT value FROM meta WHERE key = ?').get(HEAD_KEY) as { value: string } | undefined;
    return row === undefined ? null : HeadValue.parse(JSON.parse(row.value));
  }

  entriesFor(requestId: string): AuditEntry[] {
    return z.array(Row).parse(this.#db.prepare(`${SELECT} WHERE request_id = ? ORDER BY seq`).all(requestId));
  }

  /** Reads the whole log and checks every link; swapped rows show as broken links, since seq is hashed. */
  verify(): Verification {
    const entries = z.array(Row).parse(this.#db.prepare(`${SELECT} ORDER BY seq`).all());
    return verifyChain(entries, this.head());
  }
}
