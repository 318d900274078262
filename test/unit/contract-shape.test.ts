import { describe, expect, it } from 'vitest';
import { shapeOf } from '../contract/shape.ts';

describe('shapeOf', () => {
  it('keeps key sets and types, not values', () => {
    expect(shapeOf({ a: 1, b: 'x', c: null, d: true })).toEqual({ a: 'number', b: 'string', c: 'null', d: 'boolean' });
    expect(shapeOf({ a: 1 })).toEqual(shapeOf({ a: 2 }));
    expect(shapeOf({ a: 1 })).not.toEqual(shapeOf({ a: '1' }));
    expect(shapeOf({ a: 1 })).not.toEqual(shapeOf({ a: 1, b: 1 }));
  });

  it('reduces arrays to their distinct element shapes', () => {
    expect(shapeOf([1, 2, 3])).toEqual(['number']);
    expect(shapeOf([{ a: 1 }, { b: 1 }])).toEqual(shapeOf([{ b: 2 }, { a: 2 }, { a: 3 }]));
    expect(shapeOf([{ a: 1 }])).not.toEqual(shapeOf([{ a: 1 }, { b: 1 }]));
    expect(shapeOf([])).toEqual([]);
  });

  it('collapses Matrix-ID keys but keeps other keys', () => {
    expect(shapeOf({ '@a:s': 1, '@b:s': 2 })).toEqual({ '@<id>': 'number' });
    expect(shapeOf({ '!r:s': { x: 1 }, '!q:s': { y: 1 } })).toEqual({ '!<id>': { '<one of>': [{ x: 'number' }, { y: 'number' }] } });
    expect(shapeOf({ '': 1 })).toEqual({ '': 'number' });
  });
});
