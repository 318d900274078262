// The commands this bot answers, in the order !help lists them.
import type { Command } from './command.ts';
import { contact } from './contact.ts';
import { help } from './help.ts';
import { whatdoyouhave } from './whatdoyouhave.ts';

export const COMMANDS: readonly Command[] = [help, whatdoyouhave, contact];

export const COMMAND_NAMES: ReadonlySet<string> = new Set(COMMANDS.map((c) => c.name));
