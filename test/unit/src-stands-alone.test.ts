// What ships is src/ with the production dependencies (the Dockerfile copies nothing else):
// nothing in src/ may load a file from test/ or bench/, nor a package that `npm ci
// --omit=dev` leaves out. Type-only imports vanish at run time and may name dev packages.
// (test/docker/image-layout.test.ts runs the bot from such a layout for real.)
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SRC = path.join(ROOT, 'src');

const sourceFiles = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });

/** The specifiers a file loads at run time: imports and re-exports (not `import type`), import(), require(). */
function runtimeSpecifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]!);
  return found;
}

/** A bare specifier's package name: `@scope/name/sub` → `@scope/name`. */
const packageOf = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
const inProductionInstall = (name: string): boolean => {
  const entry = lock.packages[`node_modules/${name}`];
  return entry !== undefined && entry.dev !== true;
};

describe('src/ stands alone', () => {
  it('finds what a file loads, and leaves type-only imports out', () => {
    const source = [
      "import fs from 'node:fs';",
      "import type { X } from 'vitest';",
      "import { a, type B } from './a.ts';",
      "export { c } from '../c.ts';",
      "import './side-effect.ts';",
      "const d = await import('../test/d.ts');",
      "const e = require('e-package/sub');",
    ].join('\n');
    expect(runtimeSpecifiers(source)).toEqual(['node:fs', './a.ts', '../c.ts', './side-effect.ts', '../test/d.ts', 'e-package/sub']);
  });

  it('loads nothing from test/ or bench/, and only packages a production install has', () => {
    const problems: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const name = path.relative(ROOT, file);
      for (const specifier of runtimeSpecifiers(fs.readFileSync(file, 'utf8'))) {
        if (specifier.startsWith('.')) {
          const target = path.relative(ROOT, path.resolve(path.dirname(file), specifier));
          if (!target.startsWith(`src${path.sep}`)) problems.push(`${name} loads ${specifier}, outside src/`);
        } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier) && !inProductionInstall(packageOf(specifier))) {
          problems.push(`${name} loads ${specifier}, which npm ci --omit=dev does not install`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
