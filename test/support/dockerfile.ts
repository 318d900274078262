// Reads a Dockerfile as far as the image-layout test needs: its stages, and in each the
// COPY, RUN, ENV, WORKDIR and ENTRYPOINT instructions (continuation lines joined, comments
// skipped, the shell and the JSON forms of COPY and ENTRYPOINT). Not a general parser.

export type Copy = { from: string | null; sources: string[]; destination: string };
export type Stage = {
  name: string | null;
  workdir: string;
  copies: Copy[];
  runs: string[];
  env: Record<string, string>;
  entrypoint: string[] | null;
};

/** The instructions, one per logical line: continuation lines joined, comments and blank lines dropped. */
export function instructions(text: string): Array<{ keyword: string; rest: string }> {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return logical
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), rest: rest.join(' ') };
    });
}

const words = (rest: string): string[] => (rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/));

function parseCopy(rest: string): Copy {
  const parts = rest.split(/\s+/);
  const flags = parts.filter((part) => part.startsWith('--'));
  const args = words(parts.filter((part) => !part.startsWith('--')).join(' '));
  const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length) ?? null;
  return { from, sources: args.slice(0, -1), destination: args.at(-1)! };
}

/** `ENV A=1 B=2` (the key=value form; values without spaces, as in this project's Dockerfile). */
function parseEnv(rest: string): Record<string, string> {
  return Object.fromEntries(rest.split(/\s+/).map((pair) => pair.split('=') as [string, string]));
}

export function stages(text: string): Stage[] {
  const found: Stage[] = [];
  for (const { keyword, rest } of instructions(text)) {
    if (keyword === 'FROM') {
      const name = /\sAS\s+(\S+)/i.exec(rest)?.[1] ?? null;
      found.push({ name, workdir: '/', copies: [], runs: [], env: {}, entrypoint: null });
      continue;
    }
    const stage = found.at(-1);
    if (stage === undefined) continue;
    if (keyword === 'WORKDIR') stage.workdir = rest;
    else if (keyword === 'COPY') stage.copies.push(parseCopy(rest));
    else if (keyword === 'RUN') stage.runs.push(rest);
    else if (keyword === 'ENV') Object.assign(stage.env, parseEnv(rest));
    else if (keyword === 'ENTRYPOINT') stage.entrypoint = words(rest);
  }
  return found;
}
