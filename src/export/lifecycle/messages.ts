// What the bot says about exports, as Documents. Pure.
import type { BotConfig } from '../../config/load.ts';
import { formatBytes } from '../../inventory/facts.ts';
import type { JobProgress } from '../../jobs/job.ts';
import { bold, code, type Document, type Inline, link, list, paragraph } from '../../render/document.ts';
import { day, minute } from '../../requests/messages.ts';
import type { Request } from '../../requests/request.ts';
import type { ExportPackage } from '../package/package.ts';

const contact = (config: BotConfig): Inline[] => [
  link(config.privacyContact.email, `mailto:${config.privacyContact.email}`),
  ' or the room ',
  code(config.privacyContact.room),
];

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** The first answer to !export, which then shows the job's progress. */
export function exportQueued(request: Request, placeInQueue: number | null): Document {
  // A place in the queue: it waits for one of the exports being made to finish.
  const waiting =
    placeInQueue === null ? '' : ` Other exports are being made right now: yours is number ${placeInQueue} in the queue and starts when one of them is done.`;
  return [
    paragraph(bold('I am preparing a copy of all the data this server holds about you'), ' (request ', code(request.id), ').', waiting),
    paragraph(
      'This message shows how far I have got. The copy arrives here, in our direct chat, as a zip file (or ' +
        'several, when it is large) that any computer can open. ',
      code('!status'),
      ' shows where it stands; ',
      code(`!cancel ${request.id}`),
      ' stops it.',
    ),
  ];
}

/** The progress message while the job runs: the phase and its counts. */
export function exportProgress(request: Request, progress: JobProgress): Document {
  const c = (key: string) => progress.counts[key] ?? 0;
  const prefix: Inline[] = ['Your export ', code(request.id), ': '];
  switch (progress.phase) {
    case 'account':
      return [paragraph(...prefix, 'reading your account, devices and settings…')];
    case 'probe':
      return [paragraph(...prefix, `looking through the server’s other rooms for ones you left or forgot, ${c('probed')} of ${c('probeTotal')}…`)];
    case 'rooms':
      return [
        paragraph(
          ...prefix,
          `reading your rooms, ${c('rooms')} of ${c('roomsTotal')} done; ${plural(c('events'), 'event')} you sent so far; `,
          `files ${c('media')} of ${c('mediaTotal')} (${formatBytes(c('mediaBytes'))})…`,
        ),
      ];
    case 'writing':
      return [paragraph(...prefix, `writing the package${c('partsTotal') > 1 ? `, part ${c('parts')} of ${c('partsTotal')}` : ''}…`)];
    case 'delivering':
      return [paragraph(...prefix, `sending the files here, ${c('sent')} of ${c('partsTotal')}…`)];
    default:
      return [paragraph(...prefix, 'in progress…')];
  }
}

/** The last word: what arrived, how to check and open it, and when it will be deleted. */
export function exportReady(request: Request, pkg: ExportPackage, expiresAt: number, encrypted: boolean, retentionDays: number): Document {
  const { counts } = pkg;
  const parts = pkg.parts.length;
  const them = parts === 1 ? 'it' : 'them';
  return [
    paragraph(
      bold(`Your export ${request.id} is ready`),
      `: ${parts === 1 ? 'one zip file' : `${parts} zip files`} above, ${formatBytes(pkg.totalSize)} in all, with ${plural(counts.rooms, 'room')}, `,
      `${plural(counts.events, 'event')} you sent and ${plural(counts.mediaFiles, 'file')} you uploaded (${formatBytes(counts.mediaBytes)}).`,
    ),
    list(pkg.parts.map((part): Inline[] => [code(part.fileName), `, ${formatBytes(part.size)}, SHA-256 `, code(part.sha256)])),
    paragraph(
      parts === 1 ? 'Unzip it and open ' : 'Unzip every part into the same folder and open ',
      code('index.html'),
      ' in a browser: it shows everything and explains it. ',
      code('manifest.json'),
      ' lists every file with its SHA-256, so you can check that nothing is missing or changed.',
    ),
    paragraph(
      bold(`The ${parts === 1 ? 'file' : 'files'} will be deleted on ${day(expiresAt)}`),
      ` (${minute(expiresAt)}, ${retentionDays} ${retentionDays === 1 ? 'day' : 'days'} from now): download ${them} before then. `,
      encrypted
        ? `${parts === 1 ? 'It is' : 'They are'} end-to-end encrypted: only your devices can open ${them}.`
        : `This chat is not end-to-end encrypted, so until then the server’s administrators could read ${them}.`,
    ),
  ];
}

export const exportAlreadyOpen = (request: Request): Document => [
  paragraph(
    'You already have an export request, ',
    code(request.id),
    ', and it is not finished yet: its files will arrive here. ',
    code('!status'),
    ' shows where it stands.',
  ),
];

/** A refusal within the period (GDPR Art. 12(5)): exactly when the next one is possible. */
export function exportTooSoon(denied: Request, last: Request, nextAt: number, perUserHours: number, config: BotConfig): Document {
  return [
    paragraph(
      `You asked for an export at ${minute(last.receivedAt)} (request `,
      code(last.id),
      `). I make one export per person every ${plural(perUserHours, 'hour')}, so I cannot start another now. `,
      bold(`The next one is possible from ${minute(nextAt)}.`),
    ),
    paragraph(
      'This refusal is recorded as request ',
      code(denied.id),
      ' (the law lets a controller refuse requests repeated too often, GDPR Art. 12(5)). If you need a copy sooner, write to the privacy contact: ',
      ...contact(config),
      '.',
    ),
  ];
}

/** Why a delivery stopped, in plain words for the requester (the runner adds the rest). */
export const NOT_A_DIRECT_CHAT =
  'this chat is no longer a direct chat between you and me (someone else is in it or invited), so I ' +
  'did not send your data here. Start a new direct chat with me to get your copy';
export const CANNOT_ENCRYPT = 'this chat is end-to-end encrypted and I cannot encrypt files here, so I did not send your data';
export const NO_DIRECT_CHAT = 'I know no direct chat with you to send it to';
export const NO_ACCOUNT = 'the homeserver has no account of yours to export';
export const NOT_AVAILABLE = 'this server’s software does not offer what I need to make an export';
export const PROCESS_STOPPED = 'the export process stopped unexpectedly';
export const UPLOAD_LIMIT_TOO_SMALL = 'the homeserver accepts only very small files, too small for even one part of the export';
