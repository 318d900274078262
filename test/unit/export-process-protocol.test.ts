// An export process's error crosses the IPC channel as a description and becomes the same
// error again in the bot, so that the export job's one mapping (export-job.ts) applies; an
// unexpected error crosses by name only.
import { describe, expect, it } from 'vitest';
import { PartLimitTooSmall } from '../../src/export/package/parts.ts';
import { ExportError } from '../../src/export/package/progress.ts';
import { ExportProcessError, receivedError, SentFailure, sentFailure } from '../../src/export/process/export-process-protocol.ts';
import { HomeserverError } from '../../src/homeserver/errors.ts';

/** Through JSON, as over the IPC channel, and checked on arrival. */
const across = (error: unknown): Error => receivedError(SentFailure.parse(JSON.parse(JSON.stringify(sentFailure(error)))));

describe('an export process error, across the channel', () => {
  it('is the same error again: no account, a part limit too small, a homeserver error with all it says', () => {
    const noUser = across(new ExportError('no-such-user', 'The homeserver has no user @carol:example.org.'));
    expect(noUser).toBeInstanceOf(ExportError);
    expect(noUser).toMatchObject({ reason: 'no-such-user', message: 'The homeserver has no user @carol:example.org.' });

    expect(across(new PartLimitTooSmall('an upload limit of 100 bytes cannot hold the manifest'))).toBeInstanceOf(PartLimitTooSmall);

    const init = {
      kind: 'server-error',
      userMessage: 'The homeserver failed with an internal error (502) on GET /_synapse/admin/v1/rooms/{roomId}/messages.',
      status: 502,
      errcode: null,
      endpoint: 'GET /_synapse/admin/v1/rooms/{roomId}/messages',
      detail: null,
    } as const;
    const homeserver = across(new HomeserverError(init));
    expect(homeserver).toBeInstanceOf(HomeserverError);
    expect(homeserver).toMatchObject(init);
  });

  it('anything else crosses by its name only: its message could hold anything', () => {
    const error = across(new TypeError('Cannot read properties of undefined (reading "Alice’s secret diary")'));
    expect(error).toBeInstanceOf(ExportProcessError);
    expect(error.message).toBe('the export process failed with TypeError');
  });
});
