// The floor an export is measured against: what fetching the same events and files takes the
// plain way, with nothing else to do. The events through the admin /messages endpoint with a
// senders filter, backwards, pages of 1,000, four rooms at a time; then the uploads, four at a
// time, read and dropped. The same requests the export makes, without writing anything.
import { performance } from 'node:perf_hooks';

/** What a user has: her rooms' events and her uploads. */
export type Shape = { rooms: number; perRoom: number; uploadSizes: number[] };

/** The issue's user on a real Synapse 1.160: 20 rooms, about 20,000 events, 41 uploads, 10.6 MB. */
export const ISSUE_SHAPE: Shape = {
  rooms: 20,
  perRoom: 1000,
  uploadSizes: Array.from({ length: 41 }, (_, i) => (i < 20 ? 400_000 : 110_000) + i * 1000),
};

const AT_ONCE = 4;

export type Floor = { ms: number; describe: string };

export async function plainFloor(o: { url: string; token: string; userId: string; rooms: string[]; uploads: string[] }): Promise<Floor> {
  const get = async (pathAndQuery: string): Promise<Response> => {
    const response = await fetch(o.url + pathAndQuery, { headers: { Authorization: `Bearer ${o.token}` } });
    if (!response.ok) throw new Error(`${pathAndQuery.split('?')[0]}: ${response.status}`);
    return response;
  };
  const started = performance.now();
  let events = 0;
  let pages = 0;
  const filter = encodeURIComponent(JSON.stringify({ senders: [o.userId] }));
  await eachAtOnce(o.rooms, async (room) => {
    for (let from: string | undefined; ; ) {
      const page = (await (
        await get(
          `/_synapse/admin/v1/rooms/${encodeURIComponent(room)}/messages?dir=b&limit=1000&filter=${filter}${from ? `&from=${encodeURIComponent(from)}` : ''}`,
        )
      ).json()) as { chunk: unknown[]; end?: string };
      pages++;
      events += page.chunk.length;
      if (page.end === undefined || page.chunk.length === 0) break;
      from = page.end;
    }
  });
  const eventsDone = performance.now();
  let bytes = 0;
  await eachAtOnce(o.uploads, async (mxc) => {
    const [server, id] = mxc.slice('mxc://'.length).split('/');
    const body = await (await get(`/_matrix/client/v1/media/download/${server}/${id}`)).arrayBuffer();
    bytes += body.byteLength;
  });
  const done = performance.now();
  return {
    ms: done - started,
    describe: `${events} events in ${pages} pages in ${((eventsDone - started) / 1000).toFixed(2)} s, then ${o.uploads.length} uploads (${(bytes / 1e6).toFixed(1)} MB) in ${((done - eventsDone) / 1000).toFixed(2)} s: ${((done - started) / 1000).toFixed(2)} s`,
  };
}

async function eachAtOnce<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: AT_ONCE }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

/** One `!export`: when the first answer and the last word came, after the command (ms). */
export type ExportTiming = { firstMs: number; lastMs: number; startedAt: number };

/**
 * Runs `runs` exports, each between two floors, and prints its time, the floors, the ratio
 * against their mean, and the bot's log lines about the export with their time after the command.
 */
export async function compareWithFloor(o: {
  runs: number;
  floor: () => Promise<Floor>;
  exportOnce: () => Promise<ExportTiming>;
  botLog: () => string;
}): Promise<number[]> {
  const ratios: number[] = [];
  let before = await o.floor();
  console.log(`  floor: ${before.describe}`);
  for (let run = 1; run <= o.runs; run++) {
    const logFrom = o.botLog().length;
    const timing = await o.exportOnce();
    const after = await o.floor();
    const ratio = timing.lastMs / ((before.ms + after.ms) / 2);
    ratios.push(ratio);
    console.log(
      `  export ${run}: first answer after ${(timing.firstMs / 1000).toFixed(2)} s, last word after ${(timing.lastMs / 1000).toFixed(2)} s; ` +
        `floor before and after ${(before.ms / 1000).toFixed(2)} and ${(after.ms / 1000).toFixed(2)} s: ratio ${ratio.toFixed(2)}`,
    );
    for (const line of o.botLog().slice(logFrom).split('\n')) {
      const logged = /^(\S+Z) \w+ (export .*)$/.exec(line);
      if (logged) console.log(`    +${((Date.parse(logged[1]!) - timing.startedAt) / 1000).toFixed(2)} s ${logged[2]}`);
    }
    before = after;
  }
  return ratios;
}
