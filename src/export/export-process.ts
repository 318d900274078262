// Making an export's package in a process of its own (export-worker.ts), one per package. The
// bot's own memory (the SDK, the end-to-end encryption engine) leaves too little room under the
// export's target to cap its heap, and capping the bot's would starve the rest of it; a process
// of its own gets a small, capped heap and returns it all when it ends. Delivery stays in the bot.
//
// The process gets the tokens over its IPC channel, never in its arguments or environment, and
// an environment with nothing of the bot's but how to reach the homeserver. A cancelled job
// tells it to stop and kills it shortly after; a bot that stops cancels its jobs, and a bot that
// dies closes the channel, which ends the process. Whatever login-as sessions a process leaves
// (killed, out of memory) are ended by the bot as soon as it has gone.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BotConfig, Secrets } from '../config/load.ts';
import type { Capabilities } from '../homeserver/homeserver.ts';
import type { Logger } from '../log.ts';
import type { ExportProgress } from './export.ts';
import { FromExportProcess, receivedError, type ToExportProcess } from './export-process-protocol.ts';
import type { PackageMaker } from './package-maker.ts';

/**
 * The export process's V8 settings. By default V8 lets garbage pile up to a few hundred MiB
 * before collecting it: a 1 MiB young generation and an old one capped at 192 MiB keep the
 * process's peak RSS under 200 MiB at a million messages (`npm run bench:export` measures it).
 */
export const EXPORT_PROCESS_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--max-old-space-size=192', '--disable-warning=DEP0060'];

/**
 * All of the bot's environment the export process gets: how to reach the homeserver (certificates,
 * proxies) and where the compiled code is cached (src/launch.ts), never a secret.
 */
const PASSED_ENV = ['PATH', 'TZ', 'NODE_ENV', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'NODE_USE_ENV_PROXY', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'NODE_COMPILE_CACHE'];

/** After `stop`, the process has this long to end its walks and remove its work folder; then it is killed. */
const STOP_GRACE_MS = 3000;

/** The end of the process's stderr is kept to tell an out-of-memory end from others; never logged. */
const STDERR_TAIL_CHARS = 4096;

const WORKER = fileURLToPath(new URL('./export-worker.ts', import.meta.url));

export type ExportProcessOptions = {
  config: BotConfig;
  secrets: Pick<Secrets, 'adminToken' | 'botToken'>;
  /** As the bot knows them when the export starts (a feature found missing since is off). */
  capabilities: () => Capabilities;
  /** Ends the login-as sessions recorded under `owner` (SynapseAdminHomeserver.cleanUpPuppetSessions); notes for the log. */
  endSessionsOf: (owner: string) => Promise<string[]>;
  log: Pick<Logger, 'info' | 'warn'>;
  /** The figures of a process that made its package (for the benchmark). */
  onMade?: (figures: { peakRssBytes: number }) => void;
};

/** The export process ended without an answer: killed, out of memory, or crashed. */
export class ExportProcessStopped extends Error {
  override name = 'ExportProcessStopped';
}

type Answer = Extract<FromExportProcess, { type: 'made' | 'failed' }>;
type Ended = { answer: Answer | null; code: number | null; signal: NodeJS.Signals | null; stderrTail: string; error: unknown };

export function childProcessPackageMaker(options: ExportProcessOptions): PackageMaker {
  return async (order, { onProgress, signal }) => {
    signal.throwIfAborted();
    const owner = `export:${order.name}`;
    const ended = await runProcess(
      {
        type: 'start',
        config: options.config,
        tokens: { admin: options.secrets.adminToken, bot: options.secrets.botToken },
        capabilities: options.capabilities(),
        owner,
        order: { userId: order.userId, name: order.name, outputDir: order.outputDir, now: order.now() },
      },
      onProgress,
      signal,
    );
    await endSessions(options, owner);
    if (ended.error !== null) throw ended.error;
    signal.throwIfAborted();
    const { answer } = ended;
    if (answer?.type === 'failed') throw receivedError(answer.failure);
    if (answer?.type === 'made') {
      options.log.info(`export ${order.name}: package made in a process of its own, peak memory ${Math.round(answer.peakRssBytes / 1024 ** 2)} MiB`);
      options.onMade?.({ peakRssBytes: answer.peakRssBytes });
      return answer.package;
    }
    const how = ended.signal !== null ? `killed by ${ended.signal}` : `exit code ${String(ended.code)}`;
    const outOfMemory = /heap out of memory|Reached heap limit/i.test(ended.stderrTail) ? ': it ran out of memory' : '';
    options.log.warn(`export ${order.name}: the export process stopped unexpectedly (${how})${outOfMemory}`);
    throw new ExportProcessStopped(`the export process stopped unexpectedly (${how})`);
  };
}

/** Starts the process, tells it what to make, passes its progress on, and resolves once it has ended, however. */
function runProcess(start: Extract<ToExportProcess, { type: 'start' }>, onProgress: (progress: ExportProgress) => void, signal: AbortSignal): Promise<Ended> {
  return new Promise((resolve) => {
    const child = fork(WORKER, [], {
      execPath: process.execPath,
      execArgv: [...EXPORT_PROCESS_FLAGS],
      env: passedEnv(process.env),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let answer: Answer | null = null;
    let error: unknown = null;
    let stderrTail = '';
    let killTimer: NodeJS.Timeout | undefined;
    const tell = (message: ToExportProcess) => {
      if (child.connected) child.send(message, () => {});
    };
    const kill = () => void child.kill('SIGKILL');
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS)));
    child.on('message', (raw) => {
      const parsed = FromExportProcess.safeParse(raw);
      if (!parsed.success) return kill();
      const message = parsed.data;
      if (message.type === 'ready') return signal.aborted ? undefined : tell(start);
      if (message.type !== 'progress') return void (answer = message);
      try {
        onProgress(message.progress);
      } catch (failure) {
        error = failure;
        kill();
      }
    });
    const onAbort = () => {
      tell({ type: 'stop' });
      killTimer = setTimeout(kill, STOP_GRACE_MS);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = (code: number | null, exitSignal: NodeJS.Signals | null) => {
      clearTimeout(killTimer);
      signal.removeEventListener('abort', onAbort);
      resolve({ answer, code, signal: exitSignal, stderrTail, error });
    };
    // After 'exit' and the end of its stdio: every message and all of stderr are in.
    child.on('close', settle);
    // Not started at all (no 'close' follows).
    child.on('error', (failure) => {
      if (child.pid !== undefined) return;
      error = failure;
      settle(null, null);
    });
  });
}

async function endSessions(options: ExportProcessOptions, owner: string): Promise<void> {
  try {
    for (const note of await options.endSessionsOf(owner)) options.log.warn(note);
  } catch (error) {
    options.log.warn(`could not end the login-as sessions of ${owner}: ${error instanceof Error ? error.name : 'unknown error'}; the next start will`);
  }
}

function passedEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(PASSED_ENV.flatMap((key) => (env[key] === undefined ? [] : [[key, env[key]]])));
}
