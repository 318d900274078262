import { describe, expect, it } from 'vitest';
import { roomProblem, serverNameProblem, userIdProblem } from '../../src/config/matrix-ids.ts';

describe('server names', () => {
  it.each(['example.org', 'localhost', 'matrix.example.org:8448', '127.0.0.1:8008', '[::1]:8448', '[2001:db8::1]'])('accepts %s', (name) => {
    expect(serverNameProblem(name)).toBeNull();
  });
  it.each([
    ['', 'empty'],
    ['https://example.org', 'without "http://"'],
    ['example.org/', 'without a path'],
    ['exa mple.org', 'spaces'],
    ['example..org', 'empty part'],
    ['-example.org', 'starts or ends with "-"'],
    ['example.org:0', 'port'],
    ['example.org:70000', 'port'],
    ['256.1.1.1', 'IPv4'],
    ['[::1', 'closed with "]"'],
    ['ex_ample.org', 'only letters, digits'],
  ])('rejects %j (%s)', (name, why) => {
    expect(serverNameProblem(name)).toContain(why);
  });
});

describe('user IDs', () => {
  it.each(['@alice:example.org', '@a.b_c=d-e/f+g:example.org:8448', '@Historical!User:example.org'])('accepts %s', (id) => {
    expect(userIdProblem(id)).toBeNull();
  });
  it.each([
    ['alice:example.org', 'like "@alice:example.org"'],
    ['@alice', 'no server part'],
    ['@:example.org', 'is empty'],
    ['@ali ce:example.org', 'spaces'],
    ['@alice:exa_mple.org', 'server part "exa_mple.org"'],
    ['#room:example.org', 'this is a room'],
    [`@${'a'.repeat(250)}:example.org`, 'longer than 255'],
  ])('rejects %j (%s)', (id, why) => {
    expect(userIdProblem(id)).toContain(why);
  });
});

describe('rooms', () => {
  it.each(['#privacy:example.org', '!AbC123:example.org', '!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM'])('accepts %s', (room) => {
    expect(roomProblem(room)).toBeNull();
  });
  it.each([
    ['privacy:example.org', 'must be a room alias starting with "#"'],
    ['#privacy', 'no server part'],
    ['#:example.org', 'is empty'],
    ['!short', 'no server part'],
    ['@alice:example.org', 'this is a user'],
    ['https://matrix.to/#/%23privacy%3Aexample.org', 'matrix.to link'],
  ])('rejects %j (%s)', (room, why) => {
    expect(roomProblem(room)).toContain(why);
  });
});
