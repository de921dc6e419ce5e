/**
 * Every Mermaid figure of the README and docs/ parses and renders: each Markdown file's blocks are rendered with
 * mermaid-cli in a real headless Chromium (test/support/mermaid.ts), as a reader's viewer would draw them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithChromium, mermaidBlocks, renderMermaid } from './support/mermaid';

const ROOT = join(__dirname, '..');
const documents = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`)]
  .map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }))
  .filter(({ text }) => mermaidBlocks(text).length > 0);

describeWithChromium('Mermaid figures render in headless Chromium', () => {
  test('docs/architecture.md draws its figures in Mermaid', () => {
    expect(documents.map(({ path }) => path)).toContain('docs/architecture.md');
  });

  test.each(documents)('every Mermaid block of $path renders to SVG', ({ text }) => {
    const rendering = renderMermaid(text);
    expect(rendering.output).toBe('');
    expect(rendering.ok).toBe(true);
    expect(rendering.svgs).toHaveLength(mermaidBlocks(text).length);
    for (const svg of rendering.svgs) expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
  }, 180_000);

  test('a block that does not parse fails with the parse error', () => {
    const rendering = renderMermaid('# doc\n\n```mermaid\nflowchart LR\n  a -- label -->\n```\n');
    expect(rendering.ok).toBe(false);
    expect(rendering.output).toContain('Parse error');
  }, 180_000);
});
