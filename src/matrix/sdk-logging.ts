// matrix-bot-sdk logs request errors with URLs, bodies and room IDs. The bot
// practises its own policy: only the SDK's warnings and errors reach our log,
// reduced to the module name and the first line, with tokens and addresses removed.
import type { MatrixBotSdk } from './crypto-seam.ts';
import type { Logger } from '../log.ts';

export function scrub(text: string): string {
  return text
    .replace(/(access_token=|Bearer\s+)[^\s&"']+/gi, '$1[redacted]')
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g, '[ip]')
    .replace(/\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\b/gi, '[ip]');
}

export function routeSdkLogs(sdk: MatrixBotSdk, log: Logger): void {
  const line = (module: string, messageOrObject: unknown[]) => `${module}: ${scrub(String(messageOrObject[0] ?? '')).split('\n')[0]!.slice(0, 200)}`;
  sdk.LogService.setLogger({
    trace: () => {},
    debug: () => {},
    info: () => {},
    warn: (module: string, ...rest: unknown[]) => log.warn(`matrix-bot-sdk ${line(module, rest)}`),
    error: (module: string, ...rest: unknown[]) => log.error(`matrix-bot-sdk ${line(module, rest)}`),
  });
  sdk.LogService.setLevel(sdk.LogLevel.WARN);
  sdk.LogService.muteModule('Metrics');
}
