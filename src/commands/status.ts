import { statusDocument } from '../requests/messages.ts';
import { defineCommand } from './command.ts';

export const status = defineCommand({
  name: 'status',
  summary: 'your open and recent requests, and how many days are left',
  scope: 'personal',
  run: async ({ sender, desk, now, config }) => statusDocument(desk.status(sender), now(), config),
});
