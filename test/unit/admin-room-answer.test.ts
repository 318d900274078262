import { describe, expect, it } from 'vitest';
import { joinParts, readAnswer } from '../../src/homeserver/admin-room-answer.ts';

describe('readAnswer', () => {
  it('reads a success, with or without log lines before it', () => {
    expect(readAnswer('User @a:s has been deactivated')).toEqual({ ok: true, text: 'User @a:s has been deactivated' });
    const logged =
      '| level | span | message |\n| ------: | :-----: | :------- |\n|  INFO |    admin     | Demoted @a:s in !r:s as part of account deactivation |\n\nUser @a:s has been deactivated';
    expect(readAnswer(logged)).toEqual({ ok: true, text: 'User @a:s has been deactivated' });
  });

  it('reads a failure: the message in the fenced block, log lines or not', () => {
    expect(readAnswer('Command failed with error:\n```\nUser is not in any rooms.\n```')).toEqual({
      ok: false,
      kind: 'failed',
      message: 'User is not in any rooms.',
    });
    const logged =
      '| level | span | message |\n| ------: | :-----: | :------- |\n|  WARN |    admin     | something |\n\nCommand failed with error:\n```\nboom\n```';
    expect(readAnswer(logged)).toEqual({ ok: false, kind: 'failed', message: 'boom' });
  });

  it('reads a command line that did not parse, and a panic', () => {
    const clap = "error: unrecognized subcommand 'frobnicate'\n\nUsage: admin users <COMMAND>\n\nFor more information, try '--help'.\n";
    expect(readAnswer(clap)).toEqual({ ok: false, kind: 'usage', message: "unrecognized subcommand 'frobnicate'" });
    expect(readAnswer('Panic occurred while processing command:\n```\noops\n```\nPlease submit a [bug report](...)')).toEqual({
      ok: false,
      kind: 'panic',
      message: 'oops',
    });
  });

  it('does not take a success that mentions an error for one', () => {
    expect(readAnswer('Rooms @a:s Joined (1):\n```\n!r:s\tMembers: 1\tName: Command failed with error:\n```')).toMatchObject({ ok: true });
  });
});

describe('joinParts', () => {
  it('undoes the fence Tuwunel closed and reopened at a cut', () => {
    expect(joinParts(['Rooms (2):\n```\n!a:s\n```\n', '```\n!b:s\n```'])).toBe('Rooms (2):\n```\n!a:s\n!b:s\n```');
  });

  it('joins parts cut outside a fence as they are', () => {
    expect(joinParts(['line one\n', 'line two'])).toBe('line one\nline two');
  });
});
