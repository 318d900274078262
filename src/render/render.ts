// Renders a Document to plain text (Markdown-like, for `body`) and to HTML
// (for `formatted_body`). Pure functions; every piece of text is escaped.
import type { Block, Document, Inline, Rendered } from './document.ts';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function inlineText(part: Inline): string {
  if (typeof part === 'string') return part;
  if ('bold' in part) return part.bold;
  if ('code' in part) return `\`${part.code}\``;
  return part.link === part.href || part.href === `mailto:${part.link}` ? part.link : `${part.link} (${part.href})`;
}

function inlineHtml(part: Inline): string {
  if (typeof part === 'string') return escapeHtml(part);
  if ('bold' in part) return `<strong>${escapeHtml(part.bold)}</strong>`;
  if ('code' in part) return `<code>${escapeHtml(part.code)}</code>`;
  return `<a href="${escapeHtml(part.href)}">${escapeHtml(part.link)}</a>`;
}

const joinText = (parts: Inline[]): string => parts.map(inlineText).join('');
const joinHtml = (parts: Inline[]): string => parts.map(inlineHtml).join('');

function blockText(block: Block, depth: number): string {
  switch (block.kind) {
    case 'heading':
      return block.text;
    case 'paragraph':
      return joinText(block.content);
    case 'list':
      return block.items.map((item) => `- ${joinText(item)}`).join('\n');
    case 'section':
      return [`${'#'.repeat(Math.min(depth + 2, 6))} ${block.title}`, ...block.blocks.map((b) => blockText(b, depth + 1))].join('\n');
  }
}

function blockHtml(block: Block, depth: number): string {
  switch (block.kind) {
    case 'heading':
      return `<h3>${escapeHtml(block.text)}</h3>`;
    case 'paragraph':
      return `<p>${joinHtml(block.content)}</p>`;
    case 'list':
      return `<ul>${block.items.map((item) => `<li>${joinHtml(item)}</li>`).join('')}</ul>`;
    case 'section': {
      const level = Math.min(depth + 4, 6);
      return `<h${level}>${escapeHtml(block.title)}</h${level}>${block.blocks.map((b) => blockHtml(b, depth + 1)).join('')}`;
    }
  }
}

export function render(document: Document): Rendered {
  return {
    text: document.map((block) => blockText(block, 0)).join('\n\n'),
    html: document.map((block) => blockHtml(block, 0)).join(''),
  };
}
