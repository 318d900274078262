// An erased person's export packages are deleted with the rest of what the bot keeps about
// them (a ForgetHook, erasure/forget.ts). Packages are named after their request.
import path from 'node:path';
import type { ForgetHook } from '../erasure/forget.ts';
import { removePackage } from './package.ts';

/** Where export packages are made: <dataDir>/exports/<request ID>/. */
export const exportsDir = (dataDir: string): string => path.join(dataDir, 'exports');

export function forgetExportFiles(outputDir: string): ForgetHook {
  return async ({ requests }) => {
    for (const request of requests) if (request.kind === 'export') await removePackage(outputDir, request.id);
  };
}
