import { describe, expect, it } from 'vitest';
import { addMonths, daysLeft, dueDate, extension } from '../../src/requests/deadlines.ts';
import { cancellable } from '../../src/requests/kinds.ts';
import { newRequestId, parseRequestId } from '../../src/requests/request-id.ts';

const DAY = 86_400_000;

describe('request IDs', () => {
  it('are R- and four unambiguous characters', () => {
    for (let i = 0; i < 200; i++) expect(newRequestId()).toMatch(/^R-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}$/);
  });

  it('are read forgivingly, and garbage is refused', () => {
    expect(parseRequestId('r-7k3q')).toBe('R-7K3Q');
    expect(parseRequestId('7K3Q')).toBe('R-7K3Q');
    expect(parseRequestId('R-O1LI')).toBe('R-0111');
    expect(parseRequestId('R-7K3')).toBeNull();
    expect(parseRequestId('R-7K3QQ')).toBeNull();
    expect(parseRequestId('R-7KUQ')).toBeNull(); // U is not in the alphabet
    expect(parseRequestId('R-7KЗQ')).toBeNull(); // Cyrillic Ze is not a 3
  });
});

describe('deadlines', () => {
  const received = Date.UTC(2026, 0, 31, 12);

  it('are responseDays after receipt, and days left round up', () => {
    expect(dueDate(received, 30)).toBe(received + 30 * DAY);
    expect(daysLeft(received + 30 * DAY, received)).toBe(30);
    expect(daysLeft(received + 30 * DAY, received + 29.5 * DAY)).toBe(1);
    expect(daysLeft(received + 30 * DAY, received + 31 * DAY)).toBe(-1);
  });

  it('extend by two calendar months, once, and only before the original deadline', () => {
    expect(new Date(addMonths(Date.UTC(2026, 11, 31), 2)).toISOString()).toBe('2027-02-28T00:00:00.000Z');
    const due = dueDate(received, 30);
    const ok = extension({ dueAt: due, extendedAt: null, closedAt: null }, received + DAY);
    expect(ok).toEqual({ ok: true, dueAt: addMonths(due, 2) });
    expect(extension({ dueAt: due, extendedAt: received, closedAt: null }, received + DAY)).toMatchObject({ ok: false, problem: /already extended/ });
    expect(extension({ dueAt: due, extendedAt: null, closedAt: null }, due + 1)).toMatchObject({ ok: false, problem: /deadline has passed/ });
    expect(extension({ dueAt: due, extendedAt: null, closedAt: received }, received + DAY)).toMatchObject({ ok: false, problem: /closed/ });
  });
});

describe('what a requester may cancel', () => {
  it('anything not yet started or closed; a running export, but not a running erasure', () => {
    expect(cancellable({ kind: 'erasure', state: 'awaiting_approval' })).toEqual({ ok: true });
    expect(cancellable({ kind: 'erasure', state: 'scheduled' })).toEqual({ ok: true });
    expect(cancellable({ kind: 'export', state: 'in_progress' })).toEqual({ ok: true });
    expect(cancellable({ kind: 'erasure', state: 'in_progress' })).toMatchObject({ ok: false, why: /cannot be stopped/ });
    expect(cancellable({ kind: 'access', state: 'completed' })).toMatchObject({ ok: false, why: /completed/ });
    expect(cancellable({ kind: 'access', state: 'in_progress' })).toMatchObject({ ok: false, why: /being answered right now/ });
  });
});
