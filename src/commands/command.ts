// What a command is: a name, a one-line summary, where it may run, and a function
// from its context to a Document. Rendering and sending are not its business.
import type { BotConfig } from '../config/load.ts';
import type { CategoryId } from '../config/categories.ts';
import type { Homeserver } from '../homeserver/homeserver.ts';
import type { Document } from '../render/document.ts';

export type CommandContext = {
  sender: string;
  args: string[];
  config: BotConfig;
  homeserver: Homeserver;
  now: () => number;
  /** Tells the admins (once per category, ever) that server and policy disagree. */
  reportPolicyDiscrepancies: (categories: CategoryId[]) => Promise<void>;
  /** The commands this bot knows, for !help. */
  commands: readonly Command[];
};

export type Command = {
  name: string;
  /** Shown by !help; one line. */
  summary: string;
  /**
   * 'personal' commands concern the sender's own data: they run only in a direct
   * chat with the bot, and only for users of this homeserver.
   */
  scope: 'personal' | 'public';
  /**
   * How many words after the command it takes. Only these are kept (in the inbox, until
   * answered); anything else the user wrote is message content and is dropped at once.
   */
  maxArgs: number;
  run(context: CommandContext): Promise<Document>;
};
