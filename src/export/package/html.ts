// The HTML around an export's pages: one self-contained document with its own style, no
// scripts and no outside resources, and a Content-Security-Policy that forbids them anyway,
// so that a name or message that slipped past escaping could still run nothing. Everything
// a person or another server chose (names, messages, file names) goes through escapeHtml.
import { escapeHtml } from '../../render/render.ts';

export { escapeHtml };

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'";

const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; background: #fff; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2.5rem; }
h3 { font-size: 1.1rem; margin-top: 1.5rem; } h4 { font-size: 1rem; color: #555; margin: 1rem 0 .3rem; }
code { font-size: .9em; background: #f2f2f2; padding: 0 .2em; word-break: break-all; }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f6f6; padding: .5rem; font-size: .85em; max-height: 30rem; overflow: auto; }
table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: .2rem .5rem; text-align: left; vertical-align: top; }
ul.events { list-style: none; padding-left: 0; } ul.events li { margin: .2rem 0; }
ul.events time { color: #666; font-variant-numeric: tabular-nums; margin-right: .5rem; }
.body { white-space: pre-wrap; word-break: break-word; } .note { color: #555; font-style: italic; }
.summary td:first-child { font-weight: 600; }
`;

export function pageStart(title: string, language = 'en'): string {
  return (
    `<!DOCTYPE html>\n<html lang="${escapeHtml(language)}"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="referrer" content="no-referrer">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>\n`
  );
}

export const pageEnd = (): string => '\n</body></html>\n';

/** A link to another file of the export: the path is always one the export made (paths.ts). */
export const localLink = (path: string, text: string): string => `<a href="${escapeHtml(path)}">${escapeHtml(text)}</a>`;

/** JSON shown for reading, escaped. */
export const jsonBlock = (value: unknown): string => `<pre>${escapeHtml(JSON.stringify(value, null, 2) ?? 'null')}</pre>`;
