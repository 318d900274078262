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
};
