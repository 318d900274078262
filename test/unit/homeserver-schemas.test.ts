// Shapes the Synapse 1.67 recordings do not show: current Synapse and Tuwunel answers.
import { describe, expect, it } from 'vitest';
import { creationTimeMs, membershipsFromMap, toEncryptionKeys, toSessions, toUserAccount } from '../../src/homeserver/normalise.ts';
import { AdminUser, KeysQuery, MembershipsAnswer, Whois } from '../../src/homeserver/schemas.ts';
import { StoredMediaPage as MediaPage } from '../../src/homeserver/stored-schemas.ts';

describe('schemas and normalisation beyond Synapse 1.67', () => {
  it('reads a current Synapse user: real booleans, erased, locked, last_seen_ts', () => {
    const raw = AdminUser.parse({
      name: '@u:s',
      admin: false,
      deactivated: false,
      erased: true,
      locked: false,
      suspended: false,
      creation_ts: 1560432506,
      last_seen_ts: 1732919539393,
      threepids: [
        { medium: 'email', address: 'u@example.org', added_at: 1, validated_at: 2 },
        { medium: 'msisdn', address: '447470274584' },
      ],
      external_ids: [{ auth_provider: 'oidc-x', external_id: '123' }],
    });
    expect(toUserAccount(raw)).toMatchObject({
      erased: true,
      locked: false,
      suspended: false,
      createdAt: 1_560_432_506_000,
      lastSeenAt: 1732919539393,
      emails: ['u@example.org'],
      externalIds: [{ authProvider: 'oidc-x', externalId: '123' }],
    });
  });

  it('reads Tuwunel creation_ts 0 as unknown, and ms as ms', () => {
    expect(creationTimeMs(0)).toBeNull();
    expect(creationTimeMs(null)).toBeNull();
    expect(creationTimeMs(1_795_693_927)).toBe(1_795_693_927_000);
    expect(creationTimeMs(1_795_693_927_123)).toBe(1_795_693_927_123);
  });

  it('keeps only whether a password hash exists, never the hash', () => {
    const raw = AdminUser.parse({ name: '@u:s', password_hash: '$2b$12$abcdefghijklmnopqrstuv' });
    expect(JSON.stringify(raw)).not.toContain('$2b$');
    expect(toUserAccount(raw).hasPasswordHash).toBe(true);
    expect(toUserAccount(AdminUser.parse({ name: '@u:s', password_hash: null })).hasPasswordHash).toBe(false);
    expect(toUserAccount(AdminUser.parse({ name: '@u:s' })).hasPasswordHash).toBeNull();
  });

  it('reads whois keyed per device, with fields left out (Tuwunel has no user agents)', () => {
    const raw = Whois.parse({
      user_id: '@u:s',
      devices: { DEV1: { sessions: [{ connections: [{ ip: '10.0.0.1', last_seen: 5 }] }] }, DEV2: { sessions: [{ connections: [{}] }] } },
    });
    expect(toSessions(raw).sessions).toEqual([
      { deviceId: 'DEV1', connections: [{ ip: '10.0.0.1', lastSeenAt: 5, userAgent: null }] },
      { deviceId: 'DEV2', connections: [{ ip: null, lastSeenAt: null, userAgent: null }] },
    ]);
  });

  it('reads whois as Tuwunel writes it: nulls, and empty lists left out', () => {
    const raw = Whois.parse({
      user_id: '@u:s',
      devices: {
        '': {
          sessions: [
            {
              connections: [
                { ip: '10.0.0.1', last_seen: 5, user_agent: null },
                { ip: null, last_seen: 7, user_agent: null },
              ],
            },
          ],
        },
      },
    });
    expect(toSessions(raw).sessions[0]?.connections).toEqual([
      { ip: '10.0.0.1', lastSeenAt: 5, userAgent: null },
      { ip: null, lastSeenAt: 7, userAgent: null },
    ]);
    expect(toSessions(Whois.parse({ user_id: '@u:s', devices: { '': { sessions: [{}] } } })).sessions).toEqual([]);
  });

  it('reads /memberships with and without the wrapper', () => {
    const map = { '!a:s': 'join', '!b:s': 'leave', '!c:s': 'knock' };
    expect(membershipsFromMap(MembershipsAnswer.parse({ memberships: map }).memberships)).toHaveLength(3);
    expect(MembershipsAnswer.parse(map)).toEqual({ memberships: map });
    expect(MembershipsAnswer.safeParse({ errcode: 'M_UNRECOGNIZED' }).success).toBe(false);
  });

  it('accepts a string media next_token', () => {
    expect(MediaPage.parse({ media: [], total: 0, next_token: '100' }).next_token).toBe('100');
  });

  it('reads key presence without keeping the keys', () => {
    const raw = KeysQuery.parse({ device_keys: { '@u:s': {} }, failures: {} });
    expect(toEncryptionKeys(raw, '@u:s')).toEqual({ devicesWithKeys: [], crossSigning: false });
    expect(toEncryptionKeys(KeysQuery.parse({}), '@u:s')).toEqual({ devicesWithKeys: [], crossSigning: false });
  });
});
