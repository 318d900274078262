// What every runtime patch to a library shares: the library and the exact version it was
// written against (package.json pins it), and a check, before anything is replaced, that the
// member still is what the patch expects. A library that changed under a patch stops the bot
// at start-up with this message, rather than letting it run with a patch that no longer fits.
// test/patches/ holds one guard test per patch, which also checks the version and behaviour.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** One patch: what it changes, in which library, written against which version, and why. */
export type Patch = {
  library: string;
  /** The exact version the patch was written against (and package.json pins). */
  version: string;
  /** What is replaced or wrapped, e.g. "MatrixClient.prototype.doSync". */
  member: string;
  /** Why the library's own behaviour is not good enough. */
  why: string;
};

export class PatchTargetChanged extends Error {
  constructor(patch: Patch, problem: string) {
    super(
      `${patch.library} ${installedVersion(patch.library)}: ${patch.member} ${problem}. The bot patches it (written against ${patch.library} ` +
        `${patch.version}, see src/patches/) and cannot run with this version; install the version package.json pins (npm ci).`,
    );
    this.name = 'PatchTargetChanged';
  }
}

/** The installed version of a package, read from its package.json (found next to its entry point: not every package exports it). */
export function installedVersion(library: string): string {
  for (let dir = path.dirname(require.resolve(library)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (manifest.name === library) return manifest.version ?? 'unknown';
  }
  return 'unknown';
}

/** The method `name` of `owner`, checked to be a function (of `arity` declared parameters, where given). */
export function methodOf<F extends (...args: never[]) => unknown>(owner: object, name: string, patch: Patch, arity?: number): F {
  const member: unknown = Reflect.get(owner, name);
  if (typeof member !== 'function') throw new PatchTargetChanged(patch, `is ${member === undefined ? 'missing' : `a ${typeof member}`}, not a function`);
  if (arity !== undefined && member.length !== arity) throw new PatchTargetChanged(patch, `takes ${member.length} parameters, not ${arity}`);
  return member as F;
}

/** Replaces a method after checking it; `make` gets the original (bound to nothing: call it with `.apply(this, ...)`). */
export function replaceMethod<F extends (...args: never[]) => unknown>(
  owner: object,
  name: string,
  patch: Patch,
  make: (original: F) => F,
  arity?: number,
): void {
  const original = methodOf<F>(owner, name, patch, arity);
  Reflect.set(owner, name, make(original));
}
