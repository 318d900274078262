import { describe, expect, it } from 'vitest';
import { bold, code, link, list, paragraph, section } from '../../src/render/document.ts';
import { render } from '../../src/render/render.ts';

describe('render', () => {
  it('renders the same document as plain text and as HTML', () => {
    const out = render([
      paragraph('Hi ', bold('you')),
      list([['a ', code('!help')], ['b']]),
      section('Rights', [paragraph(link('mail', 'mailto:p@example.org'))]),
    ]);
    expect(out.text).toBe('Hi you\n\n- a `!help`\n- b\n\n## Rights\nmail (mailto:p@example.org)');
    expect(out.html).toBe(
      '<p>Hi <strong>you</strong></p><ul><li>a <code>!help</code></li><li>b</li></ul><h4>Rights</h4><p><a href="mailto:p@example.org">mail</a></p>',
    );
  });

  it('escapes everything that comes from outside', () => {
    const out = render([paragraph('<script>', code('a&b'), link('"x"', 'https://e.org/?a=1&b=<2>'))]);
    expect(out.html).toBe('<p>&lt;script&gt;<code>a&amp;b</code><a href="https://e.org/?a=1&amp;b=&lt;2&gt;">&quot;x&quot;</a></p>');
  });

  it('shows an email link once in plain text', () => {
    expect(render([paragraph(link('p@example.org', 'mailto:p@example.org'))]).text).toBe('p@example.org');
  });
});
