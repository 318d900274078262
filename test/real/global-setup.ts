// The real-server tier's set-up: makes sure the root file system with a real Synapse exists
// (scripts/synapse/prepare-root.sh builds it once into a cache folder), and tells the tests
// where it is. Where it cannot be had, the tier is skipped with one line saying why and how to
// enable it; under CI=true it must run, so there a missing Synapse fails the run.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Synapse root (see support/synapse.ts), or null when the tier is skipped. */
    synapseRoot: string | null;
  }
}

const HOW_TO_ENABLE =
  'to run it: as root on Debian or Ubuntu with Debian’s mirror reachable (or DSAR_SYNAPSE_MIRROR set), run `npm test`; the first run builds the root, about 2 minutes on a fast mirror (10 on a slow one)';

export default function setup(project: TestProject): void {
  const ci = process.env['CI'] === 'true';
  if (process.env['DSAR_SKIP_REAL_SYNAPSE'] === '1' && !ci) {
    skip(project, 'DSAR_SKIP_REAL_SYNAPSE=1');
    return;
  }
  const script = path.resolve(import.meta.dirname, '../../scripts/synapse/prepare-root.sh');
  const result = spawnSync('sh', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const said = (result.stdout ?? '').trim().split('\n').at(-1) ?? '';
  if (result.status === 0 && said !== '') {
    project.provide('synapseRoot', said);
    return;
  }
  const why = result.status === 2 ? said : `prepare-root.sh failed (exit ${result.status ?? result.signal}): ${said}`;
  if (ci) throw new Error(`The real-Synapse tier must run under CI=true, but: ${why}`);
  skip(project, why);
}

function skip(project: TestProject, why: string): void {
  console.warn(`\n*** real-Synapse tier SKIPPED: ${why}; ${HOW_TO_ENABLE} ***\n`);
  project.provide('synapseRoot', null);
}
