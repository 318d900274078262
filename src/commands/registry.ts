// The commands this bot answers, in the order !help lists them.
import type { Command } from './command.ts';
import { contact } from './contact.ts';
import { help } from './help.ts';
import { whatdoyouhave } from './whatdoyouhave.ts';

export const COMMANDS: readonly Command[] = [help, whatdoyouhave, contact];

export const commandNames = (commands: readonly Command[]): ReadonlySet<string> => new Set(commands.map((c) => c.name));
