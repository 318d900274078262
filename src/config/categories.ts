// The fixed set of personal-data categories the bot reports on. The operator's
// policy must declare every one of them (src/config/policy.ts), and the rest of
// the bot (inventory, !whatdoyouhave, exports) uses these IDs as its vocabulary.
import { z } from 'zod';

/** In the order the bot shows them to a user. */
export const CATEGORY_IDS = [
  'account',
  'profile',
  'emails',
  'devices',
  'ipAddresses',
  'userAgents',
  'connectionTimes',
  'rooms',
  'messages',
  'media',
  'accountData',
  'pushers',
  'encryptionKeys',
] as const;

export const CategoryId = z.enum(CATEGORY_IDS);
export type CategoryId = z.infer<typeof CategoryId>;

/** A short heading for each category, as a user reads it. */
export const CATEGORY_LABELS = {
  account: 'Account',
  profile: 'Profile',
  emails: 'Email addresses',
  devices: 'Devices and sessions',
  ipAddresses: 'IP addresses',
  userAgents: 'App and browser identifiers (user agents)',
  connectionTimes: 'Connection times',
  rooms: 'Room memberships',
  messages: 'Messages',
  media: 'Uploaded files and media',
  accountData: 'App settings (account data)',
  pushers: 'Push notification registrations',
  encryptionKeys: 'Encryption keys',
} as const satisfies Record<CategoryId, string>;

/** What each category covers, in one sentence a user can read. */
export const CATEGORY_CONTENTS = {
  account: 'Your Matrix user ID, when the account was created, whether it is a server administrator, and a hash of your password (never the password itself).',
  profile: 'Your display name and avatar, if you set them.',
  emails: 'The email addresses linked to your account.',
  devices: 'The devices (sessions) you are logged in on: their IDs and the names you or your apps gave them.',
  ipAddresses: 'The network addresses your apps connected from.',
  userAgents: 'The strings your apps send to identify themselves (app or browser name and version).',
  connectionTimes: 'When each of your devices was last seen connecting.',
  rooms: 'The rooms you have joined, left, been invited to or banned from.',
  messages: 'The messages and other events you sent in rooms.',
  media: 'Files, images and other media you uploaded, including your avatar.',
  accountData: 'Settings your apps store on the server for you, such as your list of direct chats and ignored users.',
  pushers: 'Where the server sends push notifications for your mobile or desktop apps.',
  encryptionKeys: 'The public keys of your devices for end-to-end encryption, and your encrypted key backup if you use one.',
} as const satisfies Record<CategoryId, string>;
