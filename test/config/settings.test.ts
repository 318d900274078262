// One broken setting at a time, through a real file: the exact path and a useful message.
import { describe, expect, it } from 'vitest';
import { loadConfig, validateConfig } from '../../src/config/load.ts';
import { ENV, expectSafeAndReadable, problemAt, sample, writeConfig } from './helpers.ts';

function problemsFor(change: (raw: Record<string, any>) => void) {
  const result = loadConfig(writeConfig(change), ENV);
  if (result.ok) throw new Error('expected the config to be rejected');
  expectSafeAndReadable(result.problems);
  return result.problems;
}

describe('homeserver', () => {
  it('url of the wrong type', () => {
    const p = problemAt(
      problemsFor((raw) => (raw.homeserver.url = 8008)),
      'homeserver.url',
    );
    expect(p.problem).toBe('This is the number 8008, but it must be text in double quotes.');
    expect(p.example).toContain('"url": "https://matrix.example.org"');
  });

  it('url with a path, or with credentials (not echoed)', () => {
    expect(
      problemAt(
        problemsFor((raw) => (raw.homeserver.url = 'https://matrix.example.org/_matrix/client')),
        'homeserver.url',
      ).problem,
    ).toContain('the bot adds "/_matrix/..." itself');
    const problems = problemsFor((raw) => (raw.homeserver.url = 'https://bot:s3cretpass@matrix.example.org'));
    expect(problemAt(problems, 'homeserver.url').problem).toContain('contains a user name or password');
    expectSafeAndReadable(problems, ['s3cretpass']);
  });

  it('url without http(s)', () => {
    expect(
      problemAt(
        problemsFor((raw) => (raw.homeserver.url = 'matrix.example.org')),
        'homeserver.url',
      ).problem,
    ).toContain('must start with "http://" or "https://"');
  });

  it('typo in a key: did you mean, and no second "missing" problem', () => {
    const problems = problemsFor((raw) => {
      raw.homeserver.servername = raw.homeserver.serverName;
      delete raw.homeserver.serverName;
    });
    const p = problemAt(problems, 'homeserver.servername');
    expect(p.problem).toContain('Unknown setting "servername" in homeserver. Did you mean "serverName"?');
    expect(p.example).toBe('"serverName": "example.org"');
    expect(problems).toHaveLength(1);
  });

  it('a setting at the wrong level says where it belongs', () => {
    const p = problemAt(
      problemsFor((raw) => (raw.requestTimeoutMs = 5000)),
      'requestTimeoutMs',
    );
    expect(p.problem).toContain('belongs in "homeserver"');
  });

  it('requestTimeoutMs quoted, or out of range', () => {
    expect(
      problemAt(
        problemsFor((raw) => (raw.homeserver.requestTimeoutMs = '5000')),
        'homeserver.requestTimeoutMs',
      ).problem,
    ).toContain('Remove the quotes around the number.');
    expect(
      problemAt(
        problemsFor((raw) => (raw.homeserver.requestTimeoutMs = 10)),
        'homeserver.requestTimeoutMs',
      ).problem,
    ).toBe('The number 10 is too small: the minimum is 1000.');
  });

  it('server name with a scheme', () => {
    expect(
      problemAt(
        problemsFor((raw) => (raw.homeserver.serverName = 'https://example.org')),
        'homeserver.serverName',
      ).problem,
    ).toContain('without "http://" or "https://"');
  });
});

describe('bot', () => {
  it('bad user ID', () => {
    const p = problemAt(
      problemsFor((raw) => (raw.bot.userId = 'privacybot')),
      'bot.userId',
    );
    expect(p.problem).toBe('"privacybot" is not a valid Matrix user ID: it must start with "@" and have a server part, like "@alice:example.org".');
    expect(p.example).toBe('"userId": "@privacybot:example.org"');
  });

  it('server name mismatch names both', () => {
    const problems = problemsFor((raw) => (raw.bot.userId = '@privacybot:example.com'));
    const p = problemAt(problems, 'bot.userId');
    expect(p.problem).toContain('"@privacybot:example.com" is on the server "example.com", but homeserver.serverName is "example.org"');
    expect(p.example).toBe('"userId": "@privacybot:example.org"');
    expect(problems).toHaveLength(1);
  });

  it('server name mismatch is found even when other settings are broken', () => {
    const problems = problemsFor((raw) => {
      raw.bot.userId = '@privacybot:example.com';
      raw.admins = [];
    });
    expect(problems.map((p) => p.path).sort()).toEqual(['admins', 'bot.userId']);
  });

  it('typo of an optional key: a suggestion, without claiming the key is required', () => {
    const problems = problemsFor((raw) => {
      raw.bot.encriptoin = raw.bot.encryption;
      delete raw.bot.encryption;
    });
    expect(problemAt(problems, 'bot.encriptoin').problem).toBe('Unknown setting "encriptoin" in bot. Did you mean "encryption"?');
    expect(problems).toHaveLength(1);
  });

  it('unknown encryption mode, with a suggestion', () => {
    const p = problemAt(
      problemsFor((raw) => (raw.bot.encryption = 'require')),
      'bot.encryption',
    );
    expect(p.problem).toBe('The text "require" is not one of the choices ("auto", "required", "off"). Did you mean "required"?');
  });
});

describe('rooms and people', () => {
  it('bad room alias', () => {
    const p = problemAt(
      problemsFor((raw) => (raw.adminRoom = '#privacy-admins')),
      'adminRoom',
    );
    expect(p.problem).toContain('"#privacy-admins" is not a valid room alias or room ID: it has no server part');
    expect(p.example).toBe('"adminRoom": "#privacy-admins:example.org"');
  });

  it('a matrix.to link instead of an alias', () => {
    const p = problemAt(
      problemsFor((raw) => (raw.privacyContact.room = 'https://matrix.to/#/#privacy-contact:example.org')),
      'privacyContact.room',
    );
    expect(p.problem).toContain('this is a matrix.to link; write only the ID, "#privacy-contact:example.org"');
  });

  it('empty admins', () => {
    expect(
      problemAt(
        problemsFor((raw) => (raw.admins = [])),
        'admins',
      ).problem,
    ).toBe('The list is empty; it needs at least one entry.');
  });

  it('duplicate admin', () => {
    const problems = problemsFor((raw) => (raw.admins = ['@admin:example.org', '@admin:example.org']));
    expect(problemAt(problems, 'admins[1]').problem).toBe('"@admin:example.org" is listed twice (also at admins[0]); list each admin once.');
    expect(problems).toHaveLength(1);
  });

  it('duplicate admin is found even next to an invalid one', () => {
    const problems = problemsFor((raw) => (raw.admins = ['@a:example.org', 'nobody', '@a:example.org']));
    expect(problems.map((p) => p.path)).toEqual(['admins[1]', 'admins[2]']);
  });

  it('the bot itself as admin', () => {
    expect(
      problemAt(
        problemsFor((raw) => raw.admins.push('@privacybot:example.org')),
        'admins[1]',
      ).problem,
    ).toContain('is the bot itself');
  });

  it('bad email', () => {
    const p = problemAt(
      problemsFor((raw) => (raw.privacyContact.email = 'mailto:privacy@example.org')),
      'privacyContact.email',
    );
    expect(p.problem).toBe('"mailto:privacy@example.org" is not an email address: remove "mailto:".');
    expect(
      problemAt(
        problemsFor((raw) => (raw.privacyContact.email = 'privacy')),
        'privacyContact.email',
      ).problem,
    ).toContain('it has no "@"');
  });

  it('dataDir with "~"', () => {
    expect(
      problemAt(
        problemsFor((raw) => (raw.dataDir = '~/dsar')),
        'dataDir',
      ).problem,
    ).toContain('"~" is not expanded');
  });
});

describe('policy', () => {
  it('missing category is named', () => {
    const p = problemAt(
      problemsFor((raw) => delete raw.policy.categories.emails),
      'policy.categories.emails',
    );
    expect(p.problem).toContain('The category "emails" (Email addresses) is not declared.');
    expect(p.example).toMatch(/^"emails": \{ "stored": true/);
  });

  it('misspelt category: did you mean', () => {
    const problems = problemsFor((raw) => {
      raw.policy.categories.ipAdresses = raw.policy.categories.ipAddresses;
      delete raw.policy.categories.ipAddresses;
    });
    expect(problemAt(problems, 'policy.categories.ipAdresses').problem).toContain('Did you mean "ipAddresses"?');
    expect(problems).toHaveLength(1);
  });

  it('many missing categories: one problem naming them all', () => {
    const problems = problemsFor((raw) => {
      for (const id of ['media', 'accountData', 'pushers', 'encryptionKeys', 'rooms']) delete raw.policy.categories[id];
    });
    expect(problemAt(problems, 'policy.categories').problem).toMatch(/^5 categories are not declared: rooms, media, accountData, pushers, encryptionKeys\./);
    expect(problems).toHaveLength(1);
  });

  it('stored as text', () => {
    expect(
      problemAt(
        problemsFor((raw) => (raw.policy.categories.media.stored = 'true')),
        'policy.categories.media.stored',
      ).problem,
    ).toBe('This is the text "true", but it must be true or false (without quotes). Remove the quotes.');
  });

  it('empty purpose and a missing retention', () => {
    const problems = problemsFor((raw) => {
      raw.policy.categories.rooms.purpose = '   ';
      delete raw.policy.categories.rooms.retention;
    });
    expect(problemAt(problems, 'policy.categories.rooms.purpose').problem).toBe('This text is empty.');
    expect(problemAt(problems, 'policy.categories.rooms.retention').problem).toBe('This required setting is missing.');
  });

  it('responseDays beyond the legal month', () => {
    const p = problemAt(
      problemsFor((raw) => (raw.policy.responseDays = 45)),
      'policy.responseDays',
    );
    expect(p.problem).toBe('The number 45 is too large: the maximum is 30.');
    expect(p.expected).toMatch(/GDPR/);
  });
});

describe('export', () => {
  it('defaults when absent', () => {
    const result = loadConfig(
      writeConfig(() => {}),
      ENV,
    );
    expect(result.ok && result.config.export).toEqual({ concurrency: 2, perUserHours: 24, retentionDays: 7, roomsAtOnce: 4 });
  });

  it('out of range, and a misspelt key: the path, what is expected, an example', () => {
    const p = problemAt(
      problemsFor((raw) => (raw.export = { concurrency: 0 })),
      'export.concurrency',
    );
    expect(p.expected).toContain('how many exports are made at the same time');
    expect(p.example).toBe('"concurrency": 2');
    expect(
      problemAt(
        problemsFor((raw) => (raw.export = { retentionDays: 365 })),
        'export.retentionDays',
      ).expected,
    ).toContain('1 to 90 (default 7)');
    const misspelt = problemAt(
      problemsFor((raw) => (raw.export = { perUserHour: 24 })),
      'export.perUserHour',
    );
    expect(misspelt.problem).toContain('Did you mean "perUserHours"?');
    expect(misspelt.expected).toBe('one of the settings allowed in export: concurrency, perUserHours, retentionDays, roomsAtOnce');
  });
});

describe('validateConfig (pure)', () => {
  it('fills defaults and normalises the url', () => {
    const raw = sample();
    raw.homeserver = { url: 'https://matrix.example.org/', serverName: 'example.org' };
    delete raw.bot.encryption;
    delete raw.policy.responseDays;
    delete raw.policy.categories.emails.source;
    const result = validateConfig(raw);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.config.homeserver).toEqual({ url: 'https://matrix.example.org', serverName: 'example.org', requestTimeoutMs: 30000 });
    expect(result.config.bot.encryption).toBe('auto');
    expect(result.config.policy.responseDays).toBe(30);
    expect(result.config.policy.categories.emails.source).toBe('you');
    expect(result.config.dataDir).toBe('./data'); // as written; loadConfig resolves it
  });

  it('accepts room IDs, including the server-less form of room version 12', () => {
    const raw = sample();
    raw.adminRoom = '!abcDEF123:example.org';
    raw.privacyContact.room = '!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM';
    expect(validateConfig(raw).ok).toBe(true);
  });

  it('rejects a file that is not an object', () => {
    const result = validateConfig([1, 2]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(problemAt(result.problems, '(file)').problem).toBe('The file contains a list [...], but it must contain a JSON object { ... }.');
  });
});
