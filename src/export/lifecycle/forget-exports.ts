// An erased person's exports go with the rest of what the bot keeps about them (a ForgetHook,
// erasure/forget.ts): open ones are cancelled, every recorded upload and file is deleted, and
// any package folder of theirs that no record names (made just before a crash) goes too.
import type { ForgetHook } from '../../erasure/forget.ts';
import { removePackage } from '../package/package.ts';

export function forgetExports(options: { deleteExportsOf: (userId: string) => Promise<unknown>; outputDir: string }): ForgetHook {
  return async ({ userId, requests }) => {
    await options.deleteExportsOf(userId);
    for (const request of requests) if (request.kind === 'export') await removePackage(options.outputDir, request.id);
  };
}
