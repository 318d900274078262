// A configuration problem as the operator sees it, and the start-up text that
// lists them all.

export type ConfigProblem = {
  /** Where: a setting ("bot.userId", "admins[1]"), "(file)", or "env DSAR_BOT_ACCESS_TOKEN". */
  path: string;
  /** What is wrong, in plain words. Never contains a secret. */
  problem: string;
  /** What the setting should be. */
  expected: string;
  /** An example fix. */
  example: string;
};

const README_POINTER = 'Every setting is explained in README.md, section "Configuration".';

function indent(text: string, width: number): string {
  return text.split('\n').join(`\n${' '.repeat(width)}`);
}

/** The text printed at start-up: every problem with its path, what was expected and an example fix. */
export function formatProblems(problems: ConfigProblem[], configPath: string): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines: string[] = [];
  if (problems.length === 0) {
    lines.push(`The configuration ${configPath} has no problems.`);
  } else {
    lines.push(`The bot cannot start: ${count} in its configuration (${configPath}).`);
    problems.forEach((p, i) => {
      const label = `${i + 1}. `;
      const pad = ' '.repeat(label.length);
      lines.push('');
      lines.push(`${label}${p.path}`);
      lines.push(`${pad}Problem:  ${indent(p.problem, pad.length + 10)}`);
      if (p.expected !== '') lines.push(`${pad}Expected: ${indent(p.expected, pad.length + 10)}`);
      if (p.example !== '') lines.push(`${pad}Example:  ${indent(p.example, pad.length + 10)}`);
    });
  }
  lines.push('');
  lines.push(README_POINTER);
  return `${lines.join('\n')}\n`;
}
