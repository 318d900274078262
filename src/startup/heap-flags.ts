// The V8 settings the bot runs with (src/launch.ts applies them). Left to itself, V8 sizes its
// heap from the machine's memory, not the container's: on a host with 24 GiB it let the young
// generation grow to 2 × 64 MiB and old garbage pile up towards a 4 GiB limit before collecting
// it, so a bot whose live heap stays about 50 MiB (heap snapshots before and after
// `npm run bench:load`) peaked at 450–490 MiB there. A young generation of 2 × 4 MiB and an
// old one capped at 192 MiB (about four times the live heap at that load, and V8 grows its heap
// by a smaller factor under a smaller cap) keep the peak at about 215 MiB. A 2 MiB young
// generation saves little more and costs latency (objects that live across a request are
// copied and promoted more often); 8 MiB or more brings the idle bot near 200 MiB.
// Pure: which flags to add, given what the process already runs with.

export const BOT_HEAP_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--max-old-space-size=192'];

const nameOf = (flag: string): string => flag.split('=')[0]!.replace(/_/g, '-');

/**
 * The flags of BOT_HEAP_FLAGS that the process does not run with yet. A setting the operator
 * gave (on the command line or in NODE_OPTIONS, e.g. a larger `--max-old-space-size`) wins.
 */
export function heapFlagsToAdd(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = new Set([...execArgv, ...(nodeOptions ?? '').split(/\s+/)].filter((a) => a.startsWith('--')).map(nameOf));
  return BOT_HEAP_FLAGS.filter((flag) => !given.has(nameOf(flag)));
}
