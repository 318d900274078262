// Transaction IDs: which PUTs a server treats as a retransmission of an earlier one,
// answering with the first request's event instead of creating a second.
//
// The spec (v1.7 on, "Transaction identifiers") scopes a transaction ID to one device
// and one endpoint; before v1.7, to one access token. What the servers really key on:
// - Synapse 1.67: room, sender, access token and transaction ID (table event_txn_id,
//   rows deleted after 24 hours; in front of it an in-memory cache of answers keyed on
//   the raw request path and the token, kept 30 to 60 minutes).
// - Synapse from 1.90 (1.83 with MSC3970 switched on): room, sender and device (table
//   event_txn_id_device_id, also 24 hours); the path-keyed cache is by user and device.
// - Tuwunel: sender, device and transaction ID only, whatever the room or endpoint
//   (table userdevicetxnid_response).
// A token without a device (admin login-as) falls back to the token on every server.
import type { TokenRecord } from './model.ts';

export type TransactionScope = 'room+token' | 'room+device' | 'device';

/** The key under which a server remembers a transaction. */
export function transactionKey(scope: TransactionScope, token: TokenRecord, roomId: string, txnId: string): string {
  const who = scope !== 'room+token' && token.deviceId !== null ? `device\u0000${token.userId}\u0000${token.deviceId}` : `token\u0000${token.token}`;
  const where = scope === 'device' ? '' : roomId;
  return `${who}\u0000${where}\u0000${txnId}`;
}
