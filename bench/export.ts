// How fast and how lean an export is: `npm run bench:export -- [sizes...] [--media=SIZE] [--rooms=N] [--flavour=F]`
// e.g. `npm run bench:export -- 10k 100k 1M --media=200MB`.
//
// First, `!export` from the command to the last word against the floor, the same events and
// files fetched the plain way (export-ratio.ts: on the test homeserver, with `--page-ms` per page
// of events, default 600, and `--request-ms` per other request, default 15; `--runs`, default 3;
// `--real` on a real Synapse too, export-real.ts; `--only=ratio` or `--only=sizes`).
//
// Then, for each size, a synthetic user is
// built on the test homeserver (in a child process: its memory is not the bot's), and each
// export runs from a fresh process of its own, so that each peak RSS is that size's alone: the
// export process's, as the bot starts it, and for comparison one process's with V8's defaults.
// Prints events per second, MB per second, peak RSS and zip size. Asserts nothing.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { EXPORT_PROCESS_FLAGS } from '../src/export/process/export-process.ts';
import { ISSUE_SHAPE } from './export-floor.ts';
import { exportRatio } from './export-ratio.ts';
import { exportRatioReal } from './export-real.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const node = (script: string, args: string[], flags: string[] = []) =>
  spawn(process.execPath, ['--disable-warning=DEP0060', ...flags, path.join(here, script), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });

/**
 * How the package is made. The bot makes it in an export process of its own, whose V8 settings
 * (EXPORT_PROCESS_FLAGS) keep its heap small: that process's peak RSS is the figure that counts.
 * For comparison, in one process with V8's defaults, which let garbage pile up to a few hundred
 * megabytes before collecting it; and with BENCH_EXPORT_FLAGS, in one process with those flags.
 */
const SETTINGS: Array<{ label: string; mode: 'export-process' | 'in-process'; flags: string[] }> = [
  { label: `export process (${EXPORT_PROCESS_FLAGS.filter((f) => f.startsWith('--max')).join(' ')})`, mode: 'export-process', flags: [] },
  { label: 'in one process, default V8 heap', mode: 'in-process', flags: [] },
  ...(process.env['BENCH_EXPORT_FLAGS']
    ? [{ label: `in one process, ${process.env['BENCH_EXPORT_FLAGS']}`, mode: 'in-process' as const, flags: process.env['BENCH_EXPORT_FLAGS'].split(' ') }]
    : []),
];

/** "10k" → 10000, "1M" → 1000000, "200MB" → 209715200. */
function size(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(k|m|g|kb|mb|gb|kib|mib|gib)?$/i.exec(text.trim());
  if (!match) throw new Error(`not a size: ${text}`);
  const unit = (match[2] ?? '').toLowerCase();
  const factor = unit.endsWith('b')
    ? { kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3 }[unit]!
    : { '': 1, k: 1e3, m: 1e6, g: 1e9 }[unit]!;
  return Math.round(Number(match[1]) * factor);
}

async function firstLine(child: ReturnType<typeof node>): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) return line;
  throw new Error('the child process ended without answering');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const sizes = args.filter((a) => !a.startsWith('--'));
  const only = option('only', '');
  if (only !== 'sizes') {
    const runs = Number(option('runs', '3'));
    const summary = (where: string, ratios: number[]) =>
      console.log(`  ${where}: ratio ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} (target within 1.10 of the floor)\n`);
    summary(
      'test homeserver',
      await exportRatio({ ...ISSUE_SHAPE, pageMs: Number(option('page-ms', '600')), requestMs: Number(option('request-ms', '15')), runs }),
    );
    if (args.includes('--real')) summary('real Synapse', await exportRatioReal({ ...ISSUE_SHAPE, runs }));
    if (only === 'ratio') return;
  }
  const messages = (sizes.length > 0 ? sizes : ['10k', '100k', '1M']).map(size);
  const rooms = Number(option('rooms', '200'));
  const media = size(option('media', '100MB'));
  const flavour = option('flavour', 'synapse');
  console.log(
    `export benchmark: ${rooms} rooms, ${(media / 1024 ** 2).toFixed(0)} MiB of media, ${flavour}; bot-side figures (the test homeserver runs in its own process)`,
  );
  for (const count of messages) {
    const server = node('export-homeserver.ts', [String(count), String(rooms), String(media), flavour]);
    try {
      const ready = JSON.parse(await firstLine(server)) as { url: string; token: string; serverName: string; user: string };
      for (const setting of SETTINGS) {
        const exporter = node('export-run.ts', [ready.url, ready.token, ready.serverName, ready.user, setting.mode], setting.flags);
        const result = JSON.parse(await firstLine(exporter)) as Record<string, number>;
        await new Promise((resolve) => exporter.once('exit', resolve));
        const mb = (n: number) => (n / 1024 ** 2).toFixed(1);
        console.log(
          `${String(count).padStart(8)} messages, ${setting.label}: ${result['events']} events in ${result['seconds']!.toFixed(1)} s = ${Math.round(result['events']! / result['seconds']!)} events/s; ` +
            `media ${mb(result['mediaBytes']!)} MiB at ${(result['mediaBytes']! / 1024 ** 2 / result['seconds']!).toFixed(1)} MiB/s; ` +
            `zip ${mb(result['zipBytes']!)} MiB in ${result['parts']} part(s), written at ${(result['zipBytes']! / 1024 ** 2 / result['seconds']!).toFixed(1)} MiB/s; ` +
            `peak RSS ${mb(result['peakRss']!)} MiB`,
        );
      }
    } finally {
      server.stdin!.end();
      await new Promise((resolve) => server.once('exit', resolve));
    }
  }
}

await main();
