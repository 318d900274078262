// Processes as the kernel shows them (/proc, Linux): the export processes a bot started (and
// which of them are making a package), what their command line and environment hold, and
// whether they are still there.
import fs from 'node:fs';

/** What an export process's command line names (src/export/process/export-process.ts starts it). */
const EXPORT_WORKER = 'export-worker.ts';

/** /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses. */
function stat(pid: number): { state: string; ppid: number } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: state!, ppid: Number(ppid) };
  } catch {
    return null;
  }
}

/** The NUL-separated strings of /proc/<pid>/cmdline or environ. */
export function procStrings(pid: number, file: 'cmdline' | 'environ'): string[] {
  return fs
    .readFileSync(`/proc/${pid}/${file}`, 'utf8')
    .split('\0')
    .filter((s) => s !== '');
}

/** The export processes `parent` started that are running now. */
export function exportProcessesOf(parent: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => stat(pid)?.ppid === parent && isRunning(pid) && commandLineNames(pid, EXPORT_WORKER));
}

/**
 * The export processes `parent` started that are making a package now: they hold the bot's
 * database open (the bot starts one ahead to wait for the next export, which holds nothing).
 */
export function workingExportProcessesOf(parent: number): number[] {
  return exportProcessesOf(parent).filter((pid) => opens(pid, DATABASE));
}

/** The bot's database file (src/store/database.ts). */
const DATABASE = 'dsar-bot.sqlite';

/** Whether one of the process's open files has a name ending in `name`. */
function opens(pid: number, name: string): boolean {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/${fd}`).endsWith(name);
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/** Whether the process's command line has an argument ending in `name` (false once it is gone). */
function commandLineNames(pid: number, name: string): boolean {
  try {
    return procStrings(pid, 'cmdline').some((arg) => arg.endsWith(name));
  } catch {
    return false;
  }
}

/** Whether the process exists and has not ended (a zombie has ended: only its exit status is left). */
export function isRunning(pid: number): boolean {
  const s = stat(pid);
  return s !== null && s.state !== 'Z' && s.state !== 'X';
}
