// The bot's log. By policy it carries no message content, no IP addresses and no
// access tokens; user IDs appear only where an admin needs them to act.
export type Logger = {
  /** Only when the operator asks for the most verbose log (DSAR_BOT_LOG_LEVEL=debug): the SDK's own lines too. */
  debug?: (message: string) => void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
};

export const LOG_LEVEL_ENV = 'DSAR_BOT_LOG_LEVEL';

/** Writes to stderr; every line is redacted once more, whoever wrote it. */
export function consoleLogger(stream: NodeJS.WritableStream = process.stderr, options: { debug?: boolean } = {}): Logger {
  const write = (level: string) => (message: string) => stream.write(`${new Date().toISOString()} ${level} ${redactForLog(message)}\n`);
  return { ...(options.debug ? { debug: write('DEBUG') } : {}), info: write('INFO'), warn: write('WARN'), error: write('ERROR') };
}

/** Removes access tokens and IP addresses from text bound for the log. */
export function redactForLog(text: string): string {
  return (
    text
      .replace(/(access_token=|Bearer\s+)[^\s&"']+/gi, '$1[redacted]')
      .replace(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g, '[ip]')
      // IPv6, compressed or not (also catches a clock time now and then: better too much than too little).
      .replace(/\b[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7}\b/gi, '[ip]')
  );
}
