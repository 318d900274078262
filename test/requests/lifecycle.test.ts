// Every allowed and every forbidden transition of the request state machine, against a
// table written out here by hand (not derived from the implementation).
import { describe, expect, it } from 'vitest';
import { canTransition, transition } from '../../src/requests/lifecycle.ts';
import { REQUEST_STATES, type Request, type RequestState } from '../../src/requests/request.ts';

// Rows: from; columns in the order of the header; "x" = allowed.
const HEADER = ['received', 'awaiting_confirmation', 'awaiting_approval', 'approved', 'scheduled', 'in_progress', 'completed', 'denied', 'cancelled', 'failed'];
const TABLE: Record<string, string> = {
  //                     rcv aconf aappr appr sched prog comp deny canc fail
  received: '.   x     x     .    x     x    x    x    x    x',
  awaiting_confirmation: '.   .     x     .    .     .    .    .    x    .',
  awaiting_approval: '.   .     .     x    .     .    .    x    x    .',
  approved: '.   .     .     .    x     x    .    .    x    .',
  scheduled: '.   .     .     .    .     x    .    .    x    .',
  in_progress: '.   .     .     .    .     .    x    .    x    x',
  completed: '.   .     .     .    .     .    .    .    .    .',
  denied: '.   .     .     .    .     .    .    .    .    .',
  cancelled: '.   .     .     .    .     .    .    .    .    .',
  failed: '.   .     .     .    .     .    .    .    .    .',
};

const expected = (from: RequestState, to: RequestState): boolean => TABLE[from]!.trim().split(/\s+/)[HEADER.indexOf(to)] === 'x';

const request = (state: RequestState): Request => ({
  id: 'R-7K3Q',
  kind: 'erasure',
  state,
  userId: '@alice:example.org',
  roomId: '!dm:example.org',
  sourceEventId: '$e',
  enteredBy: null,
  receivedAt: 1000,
  dueAt: 2000,
  updatedAt: 1000,
  closedAt: null,
  extendedAt: null,
  extensionReason: null,
  decidedBy: null,
  decisionReason: null,
  detail: {},
  pseudonymisedAt: null,
});

const pairs = REQUEST_STATES.flatMap((from) => REQUEST_STATES.map((to) => [from, to] as const));

describe('the request state machine', () => {
  it('has the table’s header in the order of the states', () => {
    expect(HEADER).toEqual([...REQUEST_STATES]);
  });

  it.each(pairs.filter(([from, to]) => expected(from, to)))('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    const result = transition(request(from), { to, actor: '@admin:example.org', at: 5000, reason: 'because' });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.request.state).toBe(to);
      expect(result.request.updatedAt).toBe(5000);
    }
  });

  it.each(pairs.filter(([from, to]) => !expected(from, to)))('forbids %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    const result = transition(request(from), { to, actor: 'bot', at: 5000 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(/cannot become/);
  });

  it('records who decided and why on approval and denial, and closes terminal states', () => {
    const approved = transition(request('awaiting_approval'), { to: 'approved', actor: '@admin:example.org', at: 3000 });
    expect(approved.ok && approved.request.decidedBy).toBe('@admin:example.org');
    const denied = transition(request('awaiting_approval'), { to: 'denied', actor: '@admin:example.org', at: 3000, reason: 'Art. 17(3)(e): legal claims' });
    expect(denied.ok && [denied.request.decisionReason, denied.request.closedAt]).toEqual(['Art. 17(3)(e): legal claims', 3000]);
    const scheduled = transition(request('approved'), { to: 'scheduled', actor: 'bot', at: 3000 });
    expect(scheduled.ok && scheduled.request.closedAt).toBeNull();
  });
});
