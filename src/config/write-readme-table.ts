// npm run docs:config: writes the settings table, made from the schema, into
// README.md (or the Markdown file given as the first argument).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withSettingsTable } from './readme-table.ts';

const file = process.argv[2] ?? fileURLToPath(new URL('../../README.md', import.meta.url));
const before = readFileSync(file, 'utf8');
const after = withSettingsTable(before);
if (after === before) {
  console.log(`${file}: the settings table is up to date.`);
} else {
  writeFileSync(file, after);
  console.log(`${file}: the settings table was rewritten from src/config/schema.ts.`);
}
