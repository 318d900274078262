// The audit trail's hash chain. Pure. Each entry's hash covers its own fields and the hash
// of the entry before it, so changing, removing or reordering an entry breaks every hash
// after it; the head (last sequence number and hash), kept beside the log, catches an
// entry cut from the end.
import { createHash } from 'node:crypto';

const GENESIS = '0'.repeat(64);

export type AuditEntry = {
  seq: number;
  at: number;
  requestId: string | null;
  actor: string;
  action: string;
  /** JSON text, hashed exactly as stored. */
  detail: string;
  prevHash: string;
  hash: string;
};

export type UnsealedEntry = Omit<AuditEntry, 'hash' | 'prevHash'>;

function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const fields = [entry.seq, entry.at, entry.requestId, entry.actor, entry.action, entry.detail, entry.prevHash];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

export function seal(entry: UnsealedEntry, prevHash: string): AuditEntry {
  const withPrev = { ...entry, prevHash };
  return { ...withPrev, hash: entryHash(withPrev) };
}

export type Head = { seq: number; hash: string };

export type Verification = { ok: true; entries: number; head: Head | null } | { ok: false; entries: number; firstBroken: number; problem: string };

/** Checks entries in stored order against each other and against the recorded head. */
export function verifyChain(entries: readonly AuditEntry[], head: Head | null): Verification {
  let prevHash = GENESIS;
  let prevSeq = 0;
  for (const entry of entries) {
    const broken = (problem: string): Verification => ({ ok: false, entries: entries.length, firstBroken: entry.seq, problem });
    if (entry.seq !== prevSeq + 1) {
      return broken(entry.seq > prevSeq + 1 ? `entries ${prevSeq + 1} to ${entry.seq - 1} are missing` : `entry ${entry.seq} is out of order`);
    }
    if (entry.prevHash !== prevHash) return broken('it does not follow the entry before it (removed or reordered entries)');
    if (entryHash(entry) !== entry.hash) return broken('its content was changed after it was written');
    prevHash = entry.hash;
    prevSeq = entry.seq;
  }
  const last = entries.at(-1);
  if (head !== null && (last === undefined || last.seq !== head.seq || last.hash !== head.hash)) {
    const firstBroken = Math.min(head.seq, (last?.seq ?? 0) + 1);
    return { ok: false, entries: entries.length, firstBroken, problem: `the log ends at entry ${last?.seq ?? 0}, but entry ${head.seq} was written` };
  }
  return { ok: true, entries: entries.length, head: last ? { seq: last.seq, hash: last.hash } : null };
}
