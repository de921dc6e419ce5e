/**
 * Every relative link of the README and docs/ points to a file that exists, resolved as a Markdown viewer resolves
 * it: relative to the folder of the file that holds the link (GitHub, VS Code).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = join(__dirname, '..');
const markdown = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`)];

/** Relative link targets of a Markdown text, without their `#anchor`. */
function relativeLinks(text: string): string[] {
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1].split('#')[0])
    .filter((target) => target !== '' && !/^[a-z]+:/i.test(target));
}

test.each(markdown)('every relative link of %s resolves to a file of the project', (file) => {
  const broken = relativeLinks(readFileSync(join(ROOT, file), 'utf8')).filter((target) => !existsSync(join(ROOT, dirname(file), target)));
  expect(broken.map((target) => `${file} -> ${target} (resolves to ${relative(ROOT, join(ROOT, dirname(file), target))})`)).toEqual([]);
});
