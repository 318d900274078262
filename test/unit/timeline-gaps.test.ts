import { describe, expect, it } from 'vitest';
import { gapsIn, nextFrom, SYNC_FILTER, TIMELINE_LIMIT } from '../../src/sync/timeline-gaps.ts';

const sync = (rooms: Record<string, unknown>) => ({ next_batch: 's20', rooms: { join: rooms } });

describe('gaps in a sync', () => {
  it('are the joined rooms whose timeline is limited, from the previous position to prev_batch', () => {
    const answer = sync({
      '!busy:x': { timeline: { limited: true, prev_batch: 's15', events: [] } },
      '!calm:x': { timeline: { limited: false, prev_batch: 's12', events: [] } },
      '!quiet:x': { account_data: { events: [] } },
      '!odd:x': { timeline: { limited: true } },
    });
    expect(gapsIn(answer, 's10')).toEqual([
      { roomId: '!busy:x', from: 's10', to: 's15' },
      { roomId: '!odd:x', from: 's10', to: null },
    ]);
  });

  it('are none on the first sync (everything older is history) or in an answer without rooms', () => {
    expect(gapsIn(sync({ '!busy:x': { timeline: { limited: true, prev_batch: 's15' } } }), null)).toEqual([]);
    expect(gapsIn({ next_batch: 's3' }, 's1')).toEqual([]);
    expect(gapsIn('garbage', 's1')).toEqual([]);
  });

  it('the inline sync filter sets the timeline limit', () => {
    expect(SYNC_FILTER).toEqual({ room: { timeline: { limit: TIMELINE_LIMIT } } });
  });
});

describe('reading a gap page by page', () => {
  it('goes on from `end`, and stops when there is none or it did not move', () => {
    expect(nextFrom({ chunk: [{}], end: 't7' }, 't1')).toBe('t7');
    // Events the bot may not see were filtered out of this page: there may be more after it.
    expect(nextFrom({ chunk: [], end: 't9' }, 't7')).toBe('t9');
    expect(nextFrom({ chunk: [] }, 't9')).toBeNull();
    expect(nextFrom({ chunk: [], end: 't9' }, 't9')).toBeNull();
  });
});
