// matrix-bot-sdk logs request errors with URLs, bodies and room IDs. The bot
// practises its own policy: only the SDK's warnings and errors reach our log,
// reduced to the module name, the request and the Matrix error code.

import { type Logger, redactForLog } from '../log.ts';
import type { MatrixBotSdk } from './crypto-seam.ts';

/** One log line from the SDK's arguments: strings as they are, Matrix errors by their code. */
export function sdkLogLine(module: string, args: unknown[]): string {
  const parts = args.map((arg) => {
    if (typeof arg === 'string') return arg;
    const errcode = (arg as { errcode?: unknown } | null)?.errcode;
    return typeof errcode === 'string' ? errcode : arg instanceof Error ? arg.message : '';
  });
  return `matrix-bot-sdk ${module}: ${redactForLog(parts.filter((p) => p.length > 0).join(' '))
    .split('\n')[0]!
    .slice(0, 200)}`;
}

/**
 * The SDK's verbose lines, for an operator who asked for the most verbose log: request bodies
 * and query strings (message text, filters, keys) are dropped, and every Matrix ID (people,
 * rooms, events, aliases; raw or percent-encoded) is masked. Null: nothing to log.
 */
export function sdkDebugLine(module: string, args: unknown[]): string | null {
  const line = sdkLogLine(module, args);
  if (/\((?:REQ|RESP)-[^)]*\) (?:body|qs|headers) =/.test(line) || line.includes('{')) return null;
  return line.replace(/(?:[@!$#]|%(?:40|21|24|23))(?:[^\s/:%?&]|%(?!3A)[0-9A-F]{2})+(?::|%3A)[A-Za-z0-9.-]+(?::\d+)?/gi, '[id]');
}

/**
 * The SDK logs every 404 as an error, though most are ordinary answers its callers
 * expect: no m.direct yet at first start, no m.room.encryption in an unencrypted room.
 */
const isExpectedNotFound = (args: unknown[]): boolean => args.some((arg) => (arg as { errcode?: unknown } | null)?.errcode === 'M_NOT_FOUND');

/**
 * A 429 is the homeserver's ordinary rate limit, which the bot waits out (send-once.ts, http.ts)
 * and Synapse applies to the bot by default: a warning, not an error an operator must act on.
 */
const isRateLimit = (args: unknown[]): boolean => args.some((arg) => (arg as { errcode?: unknown } | null)?.errcode === 'M_LIMIT_EXCEEDED');

/** Its error for each event it cannot decrypt: undecryptable.ts says that once per room instead. */
const isDecryptionFailure = (module: string, args: unknown[]): boolean =>
  module === 'MatrixClientLite' && typeof args[0] === 'string' && args[0].startsWith('Decryption error on ');

export function routeSdkLogs(sdk: MatrixBotSdk, log: Logger): void {
  const verbose = (module: string, args: unknown[]) => {
    const line = log.debug ? sdkDebugLine(module, args) : null;
    if (line !== null) log.debug!(line);
  };
  sdk.LogService.setLogger({
    trace: (module: string, ...args: unknown[]) => verbose(module, args),
    debug: (module: string, ...args: unknown[]) => verbose(module, args),
    info: (module: string, ...args: unknown[]) => verbose(module, args),
    warn: (module: string, ...args: unknown[]) => log.warn(sdkLogLine(module, args)),
    error: (module: string, ...args: unknown[]) => {
      if (isExpectedNotFound(args) || isDecryptionFailure(module, args)) return;
      if (isRateLimit(args)) log.warn(sdkLogLine(module, args));
      else log.error(sdkLogLine(module, args));
    },
  });
  sdk.LogService.setLevel(log.debug ? sdk.LogLevel.TRACE : sdk.LogLevel.WARN);
  sdk.LogService.muteModule('Metrics');
}
