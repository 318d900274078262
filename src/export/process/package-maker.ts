// Who makes an export's package: the export job asks for one and delivers it. The bot has it
// made in a process of its own (export-process.ts), whose heap can be kept small; that process
// makes it in-process (in-process-maker.ts), as a benchmark may too.
import type { ExportPackage } from '../package/package.ts';
import type { ExportProgress } from '../package/progress.ts';

/** One package to make. */
export type PackageOrder = {
  userId: string;
  /** The package's name (the request ID): it goes into <outputDir>/<name>/. */
  name: string;
  outputDir: string;
  /** The bot's clock (tests move it): the package's date. */
  now: () => number;
};

export type MakeOptions = {
  onProgress: (progress: ExportProgress) => void;
  /** Stops the making; the half-made folder is removed at the next attempt or with the request. */
  signal: AbortSignal;
};

/** Makes the package, or finds the one already made under that name; rejects as exportUserData does. */
export type PackageMaker = (order: PackageOrder, options: MakeOptions) => Promise<ExportPackage>;
