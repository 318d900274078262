// A homeserver stand-in at the Homeserver interface, for the command harness: people with
// canned answers for what commands read (the inventory, memberships, capabilities), and
// failures to order. What a command asks that is not canned here fails loudly, so a test never
// passes on an answer nobody wrote. The end-to-end tests keep the real wire (test homeserver).
import { capabilitiesFor } from '../../src/homeserver/capabilities.ts';
import type { Capabilities, Device, Homeserver, Membership, UserAccount } from '../../src/homeserver/homeserver.ts';

export type CannedPerson = {
  account: UserAccount;
  memberships: Membership[];
  /** Whether the server can list the rooms the person left (else only the joined ones). */
  membershipsAvailable: boolean;
  devices: Device[];
  messagesSent: number;
  media: { count: number; totalBytes: number };
  /** The other servers in each of the person's rooms (GDPR Art. 19); a room not named has none. */
  roomServers: Record<string, string[]>;
};

/** Synapse as current releases are: every feature there. */
export const SYNAPSE_CAPABILITIES: Capabilities = capabilitiesFor('synapse', '1.160.0');

export function cannedAccount(userId: string, account: Partial<UserAccount> = {}): UserAccount {
  return {
    userId,
    displayName: null,
    avatarUrl: null,
    admin: false,
    deactivated: false,
    erased: false,
    createdAt: Date.UTC(2024, 0, 1),
    hasPasswordHash: true,
    emails: [],
    phoneNumbers: [],
    externalIds: [],
    userType: null,
    locked: false,
    suspended: false,
    lastSeenAt: null,
    ...account,
  };
}

type Reads =
  | 'getAccount'
  | 'getMemberships'
  | 'getDevices'
  | 'getSessions'
  | 'getAccountData'
  | 'getPushers'
  | 'getMediaSummary'
  | 'getEncryptionKeys'
  | 'countMessagesSent'
  | 'roomServers';

export class CannedHomeserver {
  capabilities: Capabilities = SYNAPSE_CAPABILITIES;
  readonly adminRoom = null;
  readonly erasure = null;
  readonly people = new Map<string, CannedPerson>();
  /** What each read was asked, in order: "getAccount @alice:example.org". */
  readonly asked: string[] = [];
  readonly #failures = new Map<Reads, unknown>();

  /** Someone the server has an account for. */
  addPerson(userId: string, person: Partial<Omit<CannedPerson, 'account'>> & { account?: Partial<UserAccount> } = {}): CannedPerson {
    const canned: CannedPerson = {
      memberships: [],
      membershipsAvailable: true,
      devices: [],
      messagesSent: 0,
      media: { count: 0, totalBytes: 0 },
      roomServers: {},
      ...person,
      account: cannedAccount(userId, person.account),
    };
    this.people.set(userId, canned);
    return canned;
  }

  /** The next call of `read` throws `error` (a HomeserverError, or a bug's Error). */
  failNext(read: Reads, error: unknown): void {
    this.#failures.set(read, error);
  }

  /** The Homeserver the desks and commands see: these reads, and a loud failure for anything else. */
  asHomeserver(): Homeserver {
    return new Proxy(this, {
      get: (target, name) => {
        if (Reflect.has(target, name)) {
          const value: unknown = Reflect.get(target, name);
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return () => {
          throw new Error(`the canned homeserver has no answer for ${String(name)}: add one to test/support/canned-homeserver.ts`);
        };
      },
    }) as unknown as Homeserver;
  }

  async getAccount(userId: string) {
    this.#read('getAccount', userId);
    return this.people.get(userId)?.account ?? null;
  }

  async getMemberships(userId: string) {
    this.#read('getMemberships', userId);
    const person = this.#person(userId);
    const joined = person.memberships.filter((m) => m.membership === 'join');
    return person.membershipsAvailable
      ? { available: true as const, value: person.memberships, joined }
      : { available: false as const, reason: 'this server cannot list the rooms a user left', joined };
  }

  async getDevices(userId: string) {
    this.#read('getDevices', userId);
    return this.#person(userId).devices;
  }

  async getSessions(userId: string) {
    this.#read('getSessions', userId);
    const devices = this.#person(userId).devices;
    const sessions = devices.map((d) => ({
      deviceId: d.deviceId,
      connections: [{ ip: d.lastSeenIp, lastSeenAt: d.lastSeenAt, userAgent: d.lastSeenUserAgent }],
    }));
    return { available: true as const, value: { kept: 'connection-log' as const, sessions } };
  }

  async getAccountData(userId: string) {
    this.#read('getAccountData', userId);
    return { globalTypes: [], rooms: [] };
  }

  async getPushers(userId: string) {
    this.#read('getPushers', userId);
    return [];
  }

  async getMediaSummary(userId: string) {
    this.#read('getMediaSummary', userId);
    return this.#person(userId).media;
  }

  async getEncryptionKeys(userId: string) {
    this.#read('getEncryptionKeys', userId);
    return { available: true as const, value: { devicesWithKeys: [], crossSigning: false } };
  }

  async countMessagesSent(userId: string, roomIds: string[]) {
    this.#read('countMessagesSent', userId);
    return { available: true as const, value: { count: this.#person(userId).messagesSent, roomsSearched: roomIds.length } };
  }

  /** As the person who asks about their room sees it (the canned homeserver keeps servers per person). */
  async roomServers(roomId: string, asUser?: string) {
    this.#read('roomServers', asUser ?? roomId);
    const person = [...this.people.values()].find((p) => p.memberships.some((m) => m.roomId === roomId));
    return person?.roomServers[roomId] ?? [];
  }

  #read(read: Reads, userId: string): void {
    this.asked.push(`${read} ${userId}`);
    const failure = this.#failures.get(read);
    if (failure === undefined) return;
    this.#failures.delete(read);
    throw failure;
  }

  #person(userId: string): CannedPerson {
    const person = this.people.get(userId);
    if (person === undefined) throw new Error(`the canned homeserver has no ${userId}, yet was asked about them`);
    return person;
  }
}
