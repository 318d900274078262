// The commands this bot answers, in the order !help lists them.

import { approve, deny, erase, plan } from './admin-erasure.ts';
import { audit, extend, report, request, requests } from './admin-requests.ts';
import { cancel } from './cancel.ts';
import type { Command } from './command.ts';
import { contact, correct, object } from './contact.ts';
import { deleteAccount } from './delete.ts';
import { exportData } from './export.ts';
import { help } from './help.ts';
import { close, reply } from './privacy-contact.ts';
import { status } from './status.ts';
import { whatdoyouhave } from './whatdoyouhave.ts';

export const COMMANDS: readonly Command[] = [
  help,
  whatdoyouhave,
  exportData,
  deleteAccount,
  status,
  cancel,
  contact,
  correct,
  object,
  requests,
  request,
  extend,
  report,
  audit,
  approve,
  deny,
  erase,
  plan,
  reply,
  close,
];

export const COMMAND_NAMES: ReadonlySet<string> = new Set(COMMANDS.map((c) => c.name));
