// What a command is: a name, a one-line summary, where and for whom it runs, its typed
// parameters, and a function from its context to a reply. Rendering and sending are not
// its business; the request logic it calls lives in src/requests.

import type { CategoryId } from '../config/categories.ts';
import type { BotConfig } from '../config/load.ts';
import type { ErasureDesk } from '../erasure/erasure-desk.ts';
import type { ExportDesk } from '../export/lifecycle/export-desk.ts';
import type { Homeserver } from '../homeserver/homeserver.ts';
import { code, type Document, paragraph } from '../render/document.ts';
import type { RequestDesk } from '../requests/desk.ts';
import type { Param } from './params.ts';

/**
 * personal: the sender's own data, only in their direct chat, only for users of this server.
 * public: anywhere, for anyone.
 * admin: only in the admin room, only for listed admins joined there.
 * privacy-contact: only in the privacy contact room, for its local members.
 */
export type Scope = 'personal' | 'public' | 'admin' | 'privacy-contact';

/** Where the command was sent, as routing found it. */
export type Place = 'direct' | 'group' | 'admin' | 'privacy-contact';

export type CommandContext = {
  sender: string;
  roomId: string;
  /** The command's event: acting on it twice (after a crash) must change nothing twice. */
  eventId: string;
  place: Place;
  config: BotConfig;
  homeserver: Homeserver;
  desk: RequestDesk;
  erasure: ErasureDesk;
  exports: ExportDesk;
  now: () => number;
  /** The free text after the parameters: relayed, never stored. Empty when there is none. */
  text(): Promise<string>;
  /** Tells the admins (once per category, ever) that server and policy disagree. */
  reportPolicyDiscrepancies: (categories: CategoryId[]) => Promise<void>;
  /** The commands this bot knows, for !help. */
  commands: readonly Command[];
};

/** A reply, or a reply that a request's job will keep editing with its progress. */
export type Reply = Document | { document: Document; progressOf: string };

export const replyDocument = (reply: Reply): Document => (Array.isArray(reply) ? reply : reply.document);

type Params = Record<string, Param<unknown>>;
type ArgsOf<P extends Params> = { [K in keyof P]: P[K] extends Param<infer T> ? T : never };

export type CommandSpec<P extends Params> = {
  name: string;
  /** Shown by !help; one line. */
  summary: string;
  scope: Scope;
  /** Positional words, in order; optional ones last. Only these are kept until answered. */
  params?: P;
  /** Free text after the parameters (a message to relay, a reason): never stored. */
  text?: { label: string; required: boolean };
  run(context: CommandContext, args: ArgsOf<P>): Promise<Reply>;
};

export type ParsedArgs = { ok: true; args: unknown } | { ok: false; problem: Document };

export type Command = {
  name: string;
  summary: string;
  scope: Scope;
  /** "!cancel [request ID]" */
  usage: string;
  /** How many words after the command are kept in the inbox. */
  keptWords: number;
  takesText: boolean;
  textRequired: boolean;
  parseArgs(words: readonly string[]): ParsedArgs;
  run(context: CommandContext, args: unknown): Promise<Reply>;
};

export function defineCommand<P extends Params = Record<never, never>>(spec: CommandSpec<P>): Command {
  const params = Object.entries(spec.params ?? {}) as [string, Param<unknown>][];
  const usage = [
    `!${spec.name}`,
    ...params.map(([, p]) => (p.optional ? `[${p.label}]` : `<${p.label}>`)),
    ...(spec.text ? [spec.text.required ? `<${spec.text.label}>` : `[${spec.text.label}]`] : []),
  ].join(' ');
  return {
    name: spec.name,
    summary: spec.summary,
    scope: spec.scope,
    usage,
    keptWords: params.length,
    takesText: spec.text !== undefined,
    textRequired: spec.text?.required ?? false,
    parseArgs: (words) => {
      const args: Record<string, unknown> = {};
      for (const [index, [name, param]] of params.entries()) {
        const word = words[index];
        if (word === undefined) {
          if (param.optional) continue;
          return { ok: false, problem: usageProblem(usage, `it needs the ${param.label}`, param.example) };
        }
        const value = param.parse(word);
        // Only a short excerpt of what was written is echoed back.
        if (value === null) return { ok: false, problem: usageProblem(usage, `“${excerpt(word)}” is not a ${param.label}`, param.example) };
        args[name] = value;
      }
      return { ok: true, args };
    },
    run: async (context, args) => {
      if (spec.text?.required && (await context.text()) === '') return usageProblem(usage, `it needs the ${spec.text.label} after it`);
      return spec.run(context, args as ArgsOf<P>);
    },
  };
}

const excerpt = (word: string): string => (word.length > 24 ? `${word.slice(0, 24)}…` : word);

function usageProblem(usage: string, what: string, example?: string): Document {
  const forExample = example === undefined ? [] : [' (for example ', code(example), ')'];
  return [paragraph(`I could not read that: ${what}`, ...forExample, '. Usage: ', code(usage), '.')];
}
