import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/bot/rate-limit.ts';

describe('the rate limiter', () => {
  it('allows a person their commands per minute, tells them once when to try again, then stays quiet', () => {
    const limiter = new RateLimiter({ perUserPerMinute: 3, globalPerMinute: 100 });
    const t0 = 1_000_000;
    expect([0, 1, 2].map((i) => limiter.take('@a:x', t0 + i).kind)).toEqual(['allow', 'allow', 'allow']);
    expect(limiter.take('@a:x', t0 + 10_000)).toEqual({ kind: 'refuse', retryAfterMs: 50_000, tell: true, scope: 'user' });
    expect(limiter.take('@a:x', t0 + 20_000)).toEqual({ kind: 'refuse', retryAfterMs: 40_000, tell: false, scope: 'user' });
    // Someone else is not held up by the flood.
    expect(limiter.take('@b:x', t0 + 20_000).kind).toBe('allow');
    // A new minute, a new allowance.
    expect(limiter.take('@a:x', t0 + 60_000).kind).toBe('allow');
  });

  it('limits everyone together, telling each person once per minute', () => {
    const limiter = new RateLimiter({ perUserPerMinute: 10, globalPerMinute: 2 });
    const t0 = 5_000_000;
    expect(limiter.take('@a:x', t0).kind).toBe('allow');
    expect(limiter.take('@b:x', t0).kind).toBe('allow');
    expect(limiter.take('@c:x', t0 + 1)).toMatchObject({ kind: 'refuse', scope: 'global', tell: true });
    expect(limiter.take('@c:x', t0 + 2)).toMatchObject({ kind: 'refuse', scope: 'global', tell: false });
    expect(limiter.take('@d:x', t0 + 3)).toMatchObject({ kind: 'refuse', scope: 'global', tell: true });
    expect(limiter.take('@c:x', t0 + 60_001)).toEqual({ kind: 'allow' });
  });

  it('forgets people after a couple of quiet minutes', () => {
    const limiter = new RateLimiter({ perUserPerMinute: 10, globalPerMinute: 1000 });
    for (let i = 0; i < 50; i++) limiter.take(`@u${i}:x`, 0);
    expect(limiter.tracked).toBe(50);
    limiter.take('@late:x', 3 * 60_000);
    expect(limiter.tracked).toBe(1);
  });
});
