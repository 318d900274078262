// What a command answers, before it becomes a Matrix message: a tiny document
// model, so that commands decide *what* to say and renderers decide *how*.

export type Inline = string | { bold: string } | { code: string } | { link: string; href: string };

export type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; content: Inline[] }
  | { kind: 'list'; items: Inline[][] }
  | { kind: 'section'; title: string; blocks: Block[] };

export type Document = Block[];

/** The rendered form of a document: what goes into `body` and `formatted_body`. */
export type Rendered = { text: string; html: string };

// Small constructors keep command code readable.
export const heading = (text: string): Block => ({ kind: 'heading', text });
export const paragraph = (...content: Inline[]): Block => ({ kind: 'paragraph', content });
export const list = (items: Inline[][]): Block => ({ kind: 'list', items });
export const section = (title: string, blocks: Block[]): Block => ({ kind: 'section', title, blocks });
export const bold = (text: string): Inline => ({ bold: text });
export const code = (text: string): Inline => ({ code: text });
export const link = (text: string, href: string): Inline => ({ link: text, href });
