// Makes an export's package in the process that asks: the export process does (export-worker.ts),
// and the benchmark may. The bot itself never imports this file (the zip library stays out of it).
import type { BotConfig } from '../../config/load.ts';
import type { Homeserver } from '../../homeserver/homeserver.ts';
import { exportUserData } from '../package/export.ts';
import type { PackageMaker } from './package-maker.ts';

/** Makes it in this process. */
export function inProcessPackageMaker(homeserver: Homeserver, config: BotConfig): PackageMaker {
  return (order, { onProgress, signal }) =>
    exportUserData({
      homeserver,
      userId: order.userId,
      config,
      outputDir: order.outputDir,
      name: order.name,
      onProgress,
      signal,
      options: { roomsAtOnce: config.export.roomsAtOnce },
      now: order.now,
    });
}
