// The bot's log. By policy it carries no message content, no IP addresses and no
// access tokens; user IDs appear only where an admin needs them to act.
export type Logger = {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
};

export function consoleLogger(stream: NodeJS.WritableStream = process.stderr): Logger {
  const write = (level: string) => (message: string) => stream.write(`${new Date().toISOString()} ${level} ${message}\n`);
  return { info: write('INFO'), warn: write('WARN'), error: write('ERROR') };
}
