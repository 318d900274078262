// The V8 settings the bot runs with (src/launch.ts applies them). Left to itself, V8 sizes its
// heap from the machine's memory, not the container's: on a host with 24 GiB it lets the young
// generation grow to 2 × 64 MiB and old garbage pile up towards a 4 GiB limit before collecting
// it, so a bot whose live heap is about 60 MiB showed 450 MiB under `npm run bench:load`.
// A small young generation and an old one capped at 192 MiB (three times the live heap at that
// load, so that it never dies of heap exhaustion there) keep it at about 220 MiB; the cap also
// makes V8 collect sooner (its heap grows by a smaller factor under a smaller cap).
// Pure: which flags to add, given what the process already runs with.

export const BOT_HEAP_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--max-old-space-size=192'];

const nameOf = (flag: string): string => flag.split('=')[0]!.replace(/_/g, '-');

/**
 * The flags of BOT_HEAP_FLAGS that the process does not run with yet. A setting the operator
 * gave (on the command line or in NODE_OPTIONS, e.g. a larger `--max-old-space-size`) wins.
 */
export function heapFlagsToAdd(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = new Set([...execArgv, ...(nodeOptions ?? '').split(/\s+/)].filter((a) => a.startsWith('--')).map(nameOf));
  return BOT_HEAP_FLAGS.filter((flag) => !given.has(nameOf(flag)));
}
