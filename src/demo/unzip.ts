// Reads a zip back with yauzl, entry by entry, for the demo (what is in the export Alice got)
// and the tests: names, contents, and the checks a careful unzipper makes (yauzl refuses
// absolute paths, "..", backslashes and bad sizes).
import yauzl from 'yauzl';

export type ZipEntries = Map<string, Buffer>;

export async function readZip(path: string): Promise<ZipEntries> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (error, file) => (error ? reject(error) : resolve(file))),
  );
  const entries: ZipEntries = new Map();
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => {
          if (entries.has(entry.fileName)) return reject(new Error(`duplicate entry ${entry.fileName}`));
          entries.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  return entries;
}
