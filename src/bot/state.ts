// What the running bot remembers between events: the rooms it serves in and its display
// name (learnt as it starts), the bodies of commands not yet answered, when each room was
// last told that the bot cannot read it, and whether it is stopping. Nothing here is stored:
// a restart learns it again.
export class BotState {
  /** The admin room, once joined; null when it could not be joined. */
  adminRoomId: string | null = null;
  /** The privacy contact room, once joined. */
  contactRoomId: string | null = null;
  /** How people address the bot besides its user ID (the config's, else its profile's). */
  displayName: string | null;
  /** Set by stop(): events from a sync still in flight are left for the next run. */
  stopped = false;
  /** Bodies of commands received live, until answered: free text is relayed from memory, never stored. */
  readonly liveBodies = new Map<string, string>();
  /** When each room was last told, unprompted, that the bot cannot read it. */
  readonly unreadableNoticeAt = new Map<string, number>();

  constructor(displayName: string | null) {
    this.displayName = displayName;
  }

  /** The admin and privacy contact rooms: the bot never leaves them, even when left alone there. */
  serves(roomId: string): boolean {
    return roomId === this.adminRoomId || roomId === this.contactRoomId;
  }
}
