// The admins' side of erasure, in the admin room: approve, deny with a reason, enter a
// request received outside Matrix, and see the plan before anything runs.

import { serverPart } from '../config/matrix-ids.ts';
import type { Decided } from '../erasure/erasure-desk.ts';
import { erasurePlan } from '../erasure/plan.ts';
import { roomPreview } from '../erasure/room-preview.ts';
import { erasureSummary } from '../erasure/summary.ts';
import { collectInventory } from '../inventory/collect.ts';
import { bold, code, type Document, list, paragraph } from '../render/document.ts';
import { minute } from '../requests/messages.ts';
import { defineCommand } from './command.ts';
import { requestId, userId } from './params.ts';

export function decisionReply(outcome: Decided): Document {
  switch (outcome.kind) {
    case 'approved':
      return [paragraph('Approved: erasure ', code(outcome.request.id), ` starts at ${minute(outcome.startsAt)}.`)];
    case 'needs-another':
      return [paragraph('Your approval of ', code(outcome.request.id), ' is recorded. A second admin must approve too.')];
    case 'already-counted':
      return [paragraph('Your approval is already counted: a second, different admin must approve.')];
    case 'denied':
      return [paragraph('Denied: ', code(outcome.request.id), '. The user was told the reason.')];
    case 'refused':
      return [paragraph(`Nothing done: ${outcome.problem}.`)];
  }
}

export const approve = defineCommand({
  name: 'approve',
  summary: 'approve an erasure request',
  scope: 'admin',
  params: { id: requestId() },
  run: async ({ erasure, sender }, { id }) => decisionReply(await erasure.approve(id, sender)),
});

export const deny = defineCommand({
  name: 'deny',
  summary: 'deny an erasure request, with the reason the user is told (GDPR Art. 17(3))',
  scope: 'admin',
  params: { id: requestId() },
  text: { label: 'reason', required: true },
  run: async ({ erasure, sender, text }, { id }) => decisionReply(await erasure.deny(id, sender, await text())),
});

export const erase = defineCommand({
  name: 'erase',
  summary: 'start an erasure for a request received by email or post',
  scope: 'admin',
  params: { user: userId() },
  run: async ({ erasure, sender, eventId, homeserver, now, config }, { user }) => {
    if (serverPart(user) !== config.homeserver.serverName)
      return [paragraph(code(user), ` is not an account of ${config.homeserver.serverName}: its data lives on its own server.`)];
    const inventory = await collectInventory(homeserver, user, now);
    if (!inventory.found) return [paragraph('The homeserver has no account ', code(user), '.')];
    const begun = await erasure.enter(sender, user, eventId, erasureSummary(inventory.inventory, now()));
    return [
      paragraph(
        'Erasure request ',
        code(begun.request.id),
        ` for `,
        code(user),
        ` is ${begun.request.state.replace(/_/g, ' ')}: see the message above to decide.`,
      ),
    ];
  },
});

export const plan = defineCommand({
  name: 'plan',
  summary: 'the exact steps an erasure will run on this server, without running them',
  scope: 'admin',
  params: { id: requestId() },
  run: async ({ desk, homeserver }, { id }) => {
    const request = desk.requests.get(id);
    if (request === null || request.kind !== 'erasure') return [paragraph(`There is no erasure request ${id}.`)];
    const memberships = await homeserver.getMemberships(request.userId);
    const all = memberships.available ? memberships.value : memberships.joined;
    const roomsNow = all.filter((m) => m.membership === 'join' || m.membership === 'invite').length;
    const steps = erasurePlan(homeserver.capabilities, { roomsNow, roomsLeft: all.length - roomsNow });
    const erasure = homeserver.erasure;
    return [
      paragraph(bold(`Erasure ${id} of `), code(request.userId), ', on this server, would run:'),
      list(steps.map((s, i) => [bold(`${i + 1}. `), s.what, ...(s.visible ? [' ', bold('Visible: '), s.visible] : [])])),
      ...(erasure !== null && memberships.available ? await roomPreview(erasure, request.userId) : []),
      ...(memberships.available
        ? []
        : [
            paragraph(
              bold('Warning: '),
              `rooms the user left cannot be listed here (${memberships.reason}): the erasure would stop at its first step rather than run without them.`,
            ),
          ]),
    ];
  },
});
