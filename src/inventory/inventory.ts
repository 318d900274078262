// Everything the homeserver holds about one user, as gathered for !whatdoyouhave.
import type {
  AccountDataSummary,
  Availability,
  Device,
  EncryptionKeys,
  MediaSummary,
  Memberships,
  MessageCount,
  Pusher,
  Sessions,
  UserAccount,
} from '../homeserver/homeserver.ts';

/** A room the user is or was in, shared with other servers (they received what was sent there: GDPR Art. 15(1)(c), 19). */
export type RoomRecipients = { roomId: string; servers: string[] };

export type Inventory = {
  userId: string;
  collectedAt: number;
  account: UserAccount;
  memberships: Memberships;
  devices: Device[];
  sessions: Availability<Sessions>;
  accountData: AccountDataSummary;
  pushers: Pusher[];
  media: MediaSummary;
  encryptionKeys: Availability<EncryptionKeys>;
  messages: Availability<MessageCount>;
  /** The rooms shared with other servers, room by room; looked up with the message count. */
  recipients: Availability<RoomRecipients[]>;
};
