// Making an export's package in a process of its own (export-worker.ts), one per package. The
// bot's own memory (the SDK, the end-to-end encryption engine) leaves too little room under the
// export's target to cap its heap, and capping the bot's would starve the rest of it; a process
// of its own gets a small, capped heap and returns it all when it ends. Delivery stays in the bot.
//
// Starting one takes a few hundred milliseconds (Node loads and compiles the modules), so the bot
// keeps one started and waiting (warm): the next export takes it and another is started behind it,
// never more processes at once, waiting ones included, than `export.concurrency`. A waiting
// process holds no secret and no order; it ends with the bot.
//
// The process gets the tokens over its IPC channel, never in its arguments or environment, and
// an environment with nothing of the bot's but how to reach the homeserver. A cancelled job
// tells it to stop and kills it shortly after; a bot that stops cancels its jobs, and a bot that
// dies closes the channel, which ends the process. Whatever login-as sessions a process leaves
// (killed, out of memory) are ended by the bot as soon as it has gone.
import { type ChildProcess, fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { BotConfig, Secrets } from '../../config/load.ts';
import type { Capabilities } from '../../homeserver/homeserver.ts';
import type { Logger } from '../../log.ts';
import type { ExportProgress } from '../package/progress.ts';
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
const PASSED_ENV = [
  'PATH',
  'TZ',
  'NODE_ENV',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'NODE_USE_ENV_PROXY',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'NODE_COMPILE_CACHE',
];

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

/** The bot's export processes: `make` runs one package in one; `warm` starts one to wait for the next. */
export type ExportProcesses = {
  make: PackageMaker;
  /**
   * From now on keeps a process waiting for the next export: starts one, unless one waits
   * already or the processes are at `export.concurrency`, and another whenever one is taken or ends.
   */
  warm(): void;
  /** Ends the waiting process, and starts no more (the running ones end with their jobs, which the bot stops first). */
  stop(): Promise<void>;
};

/** The export process ended without an answer: killed, out of memory, or crashed. */
export class ExportProcessStopped extends Error {
  override name = 'ExportProcessStopped';
}

type Answer = Extract<FromExportProcess, { type: 'made' | 'failed' }>;
type Ended = { answer: Answer | null; code: number | null; signal: NodeJS.Signals | null; stderrTail: string; error: unknown };

export function exportProcesses(options: ExportProcessOptions): ExportProcesses {
  const limit = options.config.export.concurrency;
  let waiting: ExportProcess | null = null;
  let working = 0;
  let stopped = false;

  /** Whether a process is kept waiting at all (from the first `warm`; never for the benchmark's cold processes). */
  let keepWarm = false;
  const warm = () => {
    if (!keepWarm || stopped || waiting !== null || working + 1 > limit) return;
    const started = new ExportProcess();
    waiting = started;
    void started.ended.then((end) => {
      if (waiting !== started) return;
      // Ended while waiting (killed from outside, out of memory at start): the next export starts its own.
      waiting = null;
      if (!stopped) options.log.warn(`the export process waiting for the next export ended (${describeEnd(end)})`);
    });
  };

  const make: PackageMaker = async (order, { onProgress, signal }) => {
    signal.throwIfAborted();
    const times = new PhaseTimes();
    times.mark('starting');
    const process_ = waiting ?? new ExportProcess();
    waiting = null;
    working++;
    warm();
    const owner = `export:${order.name}`;
    let ended: Ended;
    try {
      ended = await process_.run(
        {
          type: 'start',
          config: options.config,
          tokens: { admin: options.secrets.adminToken, bot: options.secrets.botToken },
          capabilities: options.capabilities(),
          owner,
          order: { userId: order.userId, name: order.name, outputDir: order.outputDir, now: order.now() },
        },
        (progress) => {
          times.saw(progress);
          onProgress(progress);
        },
        signal,
      );
    } finally {
      working--;
      warm();
    }
    await endSessions(options, owner);
    if (ended.error !== null) throw ended.error;
    signal.throwIfAborted();
    const { answer } = ended;
    if (answer?.type === 'failed') throw receivedError(answer.failure);
    if (answer?.type === 'made') {
      times.mark('made');
      options.log.info(
        `export ${order.name}: package made in a process of its own (${times.describe()}), peak memory ${Math.round(answer.peakRssBytes / 1024 ** 2)} MiB`,
      );
      options.onMade?.({ peakRssBytes: answer.peakRssBytes });
      return answer.package;
    }
    const how = describeEnd(ended);
    const outOfMemory = /heap out of memory|Reached heap limit/i.test(ended.stderrTail) ? ': it ran out of memory' : '';
    options.log.warn(`export ${order.name}: the export process stopped unexpectedly (${how})${outOfMemory}`);
    throw new ExportProcessStopped(`the export process stopped unexpectedly (${how})`);
  };

  return {
    make,
    warm: () => {
      keepWarm = true;
      warm();
    },
    stop: async () => {
      stopped = true;
      const last = waiting;
      waiting = null;
      await last?.stop();
    },
  };
}

/** Makes each package in a process started for it (no waiting process): the benchmark's way. */
export function childProcessPackageMaker(options: ExportProcessOptions): PackageMaker {
  return exportProcesses(options).make;
}

const describeEnd = (end: { code: number | null; signal: NodeJS.Signals | null }) =>
  end.signal !== null ? `killed by ${end.signal}` : `exit code ${String(end.code)}`;

/** One export process, from its fork to its end: it waits until it is told what to make, makes it, and ends. */
class ExportProcess {
  readonly #child: ChildProcess;
  #ready = false;
  #onReady: (() => void) | null = null;
  #onMessage: ((message: Exclude<FromExportProcess, { type: 'ready' }>) => void) | null = null;
  #stderrTail = '';
  /** Resolves once it has ended and its stdio is closed (every message and all of stderr are in), or did not start at all. */
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null; error: unknown }>;

  constructor() {
    const child = fork(WORKER, [], {
      execPath: process.execPath,
      execArgv: [...EXPORT_PROCESS_FLAGS],
      env: passedEnv(process.env),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.#child = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (this.#stderrTail = (this.#stderrTail + chunk).slice(-STDERR_TAIL_CHARS)));
    child.on('message', (raw) => {
      const parsed = FromExportProcess.safeParse(raw);
      if (!parsed.success) return this.kill();
      const message = parsed.data;
      if (message.type !== 'ready') return this.#onMessage?.(message);
      this.#ready = true;
      this.#onReady?.();
    });
    this.ended = new Promise((resolve) => {
      child.on('close', (code, signal) => resolve({ code, signal, error: null }));
      // Not started at all (no 'close' follows).
      child.on('error', (error) => {
        if (child.pid === undefined) resolve({ code: null, signal: null, error });
      });
    });
  }

  /** Tells it what to make (once it is ready), passes its progress on, and resolves once it has ended, however. */
  async run(start: Extract<ToExportProcess, { type: 'start' }>, onProgress: (progress: ExportProgress) => void, signal: AbortSignal): Promise<Ended> {
    let answer: Answer | null = null;
    let error: unknown = null;
    let killTimer: NodeJS.Timeout | undefined;
    this.#onMessage = (message) => {
      if (message.type !== 'progress') {
        answer = message;
        return;
      }
      try {
        onProgress(message.progress);
      } catch (failure) {
        error = failure;
        this.kill();
      }
    };
    const begin = () => {
      if (!signal.aborted) this.#tell(start);
    };
    if (this.#ready) begin();
    else this.#onReady = begin;
    const onAbort = () => {
      this.#tell({ type: 'stop' });
      killTimer = setTimeout(() => this.kill(), STOP_GRACE_MS);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    const end = await this.ended;
    clearTimeout(killTimer);
    signal.removeEventListener('abort', onAbort);
    return { answer, code: end.code, signal: end.signal, stderrTail: this.#stderrTail, error: error ?? end.error };
  }

  /** Ends a process that waits (it leaves at once when told to stop before it started); killed if it does not. */
  async stop(): Promise<void> {
    this.#tell({ type: 'stop' });
    const killTimer = setTimeout(() => this.kill(), STOP_GRACE_MS);
    await this.ended;
    clearTimeout(killTimer);
  }

  kill(): void {
    this.#child.kill('SIGKILL');
  }

  #tell(message: ToExportProcess): void {
    if (this.#child.connected) this.#child.send(message, () => {});
  }
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
/** How long each phase of a package took, from the progress the process sends (for the log line). */
export class PhaseTimes {
  readonly #now: () => number;
  readonly #marks: Array<{ name: string; at: number }> = [];

  constructor(now: () => number = performance.now.bind(performance)) {
    this.#now = now;
  }

  /** The process's progress: a phase (or, while writing, the zip) that starts now is noted. */
  saw(progress: ExportProgress): void {
    const name = progress.phase === 'writing' && progress.parts.total > 0 ? 'zip' : progress.phase;
    if (this.#marks.at(-1)?.name !== name) this.mark(name);
  }

  mark(name: string): void {
    this.#marks.push({ name, at: this.#now() });
  }

  /** "account 0.3 s, rooms 10.9 s, writing 0.2 s, zip 0.4 s": each phase until the next mark. */
  describe(): string {
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    return this.#marks
      .slice(0, -1)
      .map((mark, i) => `${mark.name} ${seconds(this.#marks[i + 1]!.at - mark.at)}`)
      .join(', ');
  }
}
