// One export for `npm run bench:export`, in a fresh process: connects to the benchmark's
// homeserver, exports the user into a temporary folder, prints one JSON line of figures, and
// removes the package. Mode `export-process` makes the package as the bot does, in an export
// process of its own (src/export/process/export-process.ts, with its V8 settings), and reports that
// process's peak RSS; mode `in-process` makes it in this process and reports this one's (both
// from the kernel's own count).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { exportsDir } from '../src/export/lifecycle/expiry.ts';
import { childProcessPackageMaker } from '../src/export/process/export-process.ts';
import { inProcessPackageMaker } from '../src/export/process/in-process-maker.ts';
import type { PackageMaker } from '../src/export/process/package-maker.ts';
import { connectHomeserver } from '../src/homeserver/synapse-admin.ts';
import { openDatabase } from '../src/store/database.ts';
import { SqlitePuppetLedger } from '../src/store/puppet-sessions.ts';
import { configFor } from '../test/support/config.ts';

const [url, token, serverName, user, mode] = process.argv.slice(2) as [string, string, string, string, 'export-process' | 'in-process'];
const dir = mkdtempSync(path.join(os.tmpdir(), 'dsar-bench-export-'));
const db = openDatabase(dir);
try {
  const { homeserver } = await connectHomeserver({
    url,
    serverName,
    adminToken: token,
    botToken: token,
    botUserId: `@privacybot:${serverName}`,
    puppetLedger: new SqlitePuppetLedger(db),
  });
  const config = configFor({ url, serverName }, dir);
  let peakRss = 0;
  const makePackage: PackageMaker =
    mode === 'export-process'
      ? childProcessPackageMaker({
          config,
          secrets: { adminToken: token, botToken: token },
          capabilities: () => homeserver.capabilities,
          endSessionsOf: (owner) => homeserver.cleanUpPuppetSessions(owner),
          log: { info: () => {}, warn: (line) => process.stderr.write(`${line}\n`) },
          onMade: (figures) => (peakRss = figures.peakRssBytes),
        })
      : inProcessPackageMaker(homeserver, config);
  let mediaBytes = 0;
  const started = performance.now();
  const pkg = await makePackage(
    { userId: user, name: 'bench', outputDir: exportsDir(dir), now: Date.now },
    { onProgress: (p) => (mediaBytes = p.media.bytes), signal: new AbortController().signal },
  );
  const seconds = (performance.now() - started) / 1000;
  if (mode === 'in-process') peakRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ events: pkg.counts.events, seconds, mediaBytes, zipBytes: pkg.totalSize, parts: pkg.parts.length, peakRss })}\n`);
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
