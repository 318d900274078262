// One export for `npm run bench:export`, in a fresh process: connects to the benchmark's
// homeserver, exports the user into a temporary folder, prints one JSON line of figures
// (peak RSS from the kernel's own count for this process), and removes the package.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { exportUserData } from '../src/export/export.ts';
import { connectHomeserver } from '../src/homeserver/synapse-admin.ts';
import { configFor } from '../test/support/config.ts';
import { memoryLedger } from '../test/support/ledger.ts';

const [url, token, serverName, user] = process.argv.slice(2) as [string, string, string, string];
const dir = mkdtempSync(path.join(os.tmpdir(), 'dsar-bench-export-'));
try {
  const { homeserver } = await connectHomeserver({ url, serverName, adminToken: token, botToken: token, botUserId: `@privacybot:${serverName}`, puppetLedger: memoryLedger() });
  const config = configFor({ url, serverName }, dir);
  let mediaBytes = 0;
  const started = performance.now();
  const pkg = await exportUserData({
    homeserver,
    userId: user,
    config,
    outputDir: path.join(dir, 'exports'),
    name: 'bench',
    onProgress: (p) => (mediaBytes = p.media.bytes),
  });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    JSON.stringify({
      events: pkg.counts.events,
      seconds,
      mediaBytes,
      zipBytes: pkg.totalSize,
      parts: pkg.parts.length,
      peakRss: process.resourceUsage().maxRSS * 1024,
    }) + '\n',
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
