// matrix-bot-sdk logs request errors with URLs, bodies and room IDs. The bot
// practises its own policy: only the SDK's warnings and errors reach our log,
// reduced to the module name and the first line, with tokens and addresses removed.
import type { MatrixBotSdk } from './crypto-seam.ts';
import type { Logger } from '../log.ts';

export function scrub(text: string): string {
  return text
    .replace(/(access_token=|Bearer\s+)[^\s&"']+/gi, '$1[redacted]')
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g, '[ip]')
    // IPv6, compressed or not (also catches a clock time now and then: better too much than too little).
    .replace(/\b[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7}\b/gi, '[ip]');
}

/** One log line from the SDK's arguments: strings as they are, Matrix errors by their code. */
export function sdkLogLine(module: string, args: unknown[]): string {
  const parts = args.map((arg) => {
    if (typeof arg === 'string') return arg;
    const errcode = (arg as { errcode?: unknown } | null)?.errcode;
    return typeof errcode === 'string' ? errcode : arg instanceof Error ? arg.message : '';
  });
  return `matrix-bot-sdk ${module}: ${scrub(parts.filter((p) => p.length > 0).join(' ')).split('\n')[0]!.slice(0, 200)}`;
}

/**
 * The SDK logs every 404 as an error, though most are ordinary answers its callers
 * expect: no m.direct yet at first start, no m.room.encryption in an unencrypted room.
 */
const isExpectedNotFound = (args: unknown[]): boolean => args.some((arg) => (arg as { errcode?: unknown } | null)?.errcode === 'M_NOT_FOUND');

export function routeSdkLogs(sdk: MatrixBotSdk, log: Logger): void {
  sdk.LogService.setLogger({
    trace: () => {},
    debug: () => {},
    info: () => {},
    warn: (module: string, ...args: unknown[]) => log.warn(sdkLogLine(module, args)),
    error: (module: string, ...args: unknown[]) => {
      if (!isExpectedNotFound(args)) log.error(sdkLogLine(module, args));
    },
  });
  sdk.LogService.setLevel(sdk.LogLevel.WARN);
  sdk.LogService.muteModule('Metrics');
}
