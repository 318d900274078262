import { describe, expect, it } from 'vitest';
import { redactForLog } from '../../src/log.ts';
import { loadMatrixBotSdk } from '../../src/matrix/crypto-seam.ts';
import { routeSdkLogs, sdkDebugLine, sdkLogLine } from '../../src/matrix/sdk-logging.ts';

describe('what reaches the log from matrix-bot-sdk', () => {
  it('removes tokens and IP addresses', () => {
    expect(redactForLog('GET /sync?access_token=syt_abc123&since=s1 from 192.0.2.44 Bearer syt_xyz')).toBe(
      'GET /sync?access_token=[redacted]&since=s1 from [ip] Bearer [redacted]',
    );
    expect(redactForLog('peer 2001:db8::1 and fe80:0:0:0:1:2:3:4')).toBe('peer [ip] and [ip]');
  });

  it('names a Matrix error by its code, not by its text', () => {
    expect(sdkLogLine('MatrixHttpClient', ['(REQ-7)', { errcode: 'M_FORBIDDEN', error: 'You are not allowed to see @alice' }])).toBe(
      'matrix-bot-sdk MatrixHttpClient: (REQ-7) M_FORBIDDEN',
    );
  });
});

describe("the SDK's errors, by level", () => {
  it('drops expected 404s, warns of a rate limit the bot waits out, and keeps every other error', () => {
    const { sdk } = loadMatrixBotSdk();
    const lines: string[] = [];
    routeSdkLogs(sdk, { info: (m) => lines.push(`INFO ${m}`), warn: (m) => lines.push(`WARN ${m}`), error: (m) => lines.push(`ERROR ${m}`) });
    sdk.LogService.error('MatrixHttpClient', '(REQ-1)', { errcode: 'M_NOT_FOUND', error: 'Account data not found' });
    sdk.LogService.error('MatrixHttpClient', '(REQ-2)', { errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests', retry_after_ms: 2000 });
    sdk.LogService.error('MatrixHttpClient', '(REQ-3)', { errcode: 'M_FORBIDDEN', error: 'You are not invited to this room.' });
    expect(lines).toEqual(['WARN matrix-bot-sdk MatrixHttpClient: (REQ-2) M_LIMIT_EXCEEDED', 'ERROR matrix-bot-sdk MatrixHttpClient: (REQ-3) M_FORBIDDEN']);
  });
});

describe('the console log', () => {
  it('redacts every line, whoever wrote it', async () => {
    const { PassThrough } = await import('node:stream');
    const { consoleLogger } = await import('../../src/log.ts');
    const out = new PassThrough();
    let written = '';
    out.on('data', (chunk) => (written += chunk));
    consoleLogger(out).warn('seen from 198.51.100.7 with Bearer syt_secret_value');
    expect(written).toMatch(/^\S+ WARN seen from \[ip\] with Bearer \[redacted\]\n$/);
  });
});

describe('sdkDebugLine', () => {
  it('drops request bodies and query strings, and masks Matrix IDs raw or encoded', () => {
    expect(sdkDebugLine('MatrixHttpClient', ['(REQ-9) body = {"body":"secret words"}'])).toBeNull();
    expect(sdkDebugLine('MatrixHttpClient', ['(REQ-9) qs =', '{"access_token":"x"}'])).toBeNull();
    expect(sdkDebugLine('MatrixHttpClient', ['(REQ-2) PUT http://h/_matrix/client/v3/rooms/!abc%3Aexample.org/typing/%40alice%3Aexample.org'])).toBe(
      'matrix-bot-sdk MatrixHttpClient: (REQ-2) PUT http://h/_matrix/client/v3/rooms/[id]/typing/[id]',
    );
    expect(sdkDebugLine('x', ['event $Abc-def_123:example.org in #room:example.org:8448 by @bob:example.org'])).toBe(
      'matrix-bot-sdk x: event [id] in [id] by [id]',
    );
  });
});
