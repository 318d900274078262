// The size limit on events: the spec caps a whole event at 65,536 bytes of canonical
// JSON in the federation format (signatures, hashes and DAG references included), and
// Synapse refuses a larger one with 413 M_TOO_LARGE "event too large"
// (synapse/event_auth.py, MAX_PDU_SIZE).
import { MatrixError } from './errors.ts';
import type { JsonObject } from './model.ts';

export const MAX_PDU_BYTES = 65_536;

// Room v9 IDs and signatures are fixed-size base64: shape-alike placeholders.
const EVENT_ID = `$${'A'.repeat(43)}`;
const HASH = 'A'.repeat(43);
const SIGNATURE = 'A'.repeat(86);

/** The bytes the event would take as a PDU: what the server measures. */
export function pduBytes(roomId: string, sender: string, type: string, content: JsonObject, stateKey?: string): number {
  const origin = sender.slice(sender.indexOf(':') + 1);
  const pdu: JsonObject = {
    auth_events: [EVENT_ID, EVENT_ID, EVENT_ID],
    content,
    depth: 1_000_000,
    hashes: { sha256: HASH },
    origin,
    origin_server_ts: Date.now(),
    prev_events: [EVENT_ID],
    room_id: roomId,
    sender,
    signatures: { [origin]: { 'ed25519:a_AAAA': SIGNATURE } },
    type,
    unsigned: { age_ts: Date.now() },
  };
  if (stateKey !== undefined) pdu['state_key'] = stateKey;
  return Buffer.byteLength(JSON.stringify(pdu), 'utf8');
}

export function refuseOversized(roomId: string, sender: string, type: string, content: JsonObject, stateKey?: string): void {
  if (pduBytes(roomId, sender, type, content, stateKey) > MAX_PDU_BYTES) throw new MatrixError(413, 'M_TOO_LARGE', 'event too large');
}
