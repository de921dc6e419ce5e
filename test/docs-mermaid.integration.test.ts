/**
 * Every Mermaid figure of the README and docs/ renders, and reads: each block is rendered with mermaid-cli in a real
 * headless Chromium, as a reader's viewer draws it (test/support/mermaid.ts, one browser for every block), and must
 * parse, draw every node it declares, and draw no edge through the box of a node it does not connect, no edge label
 * over a node or over another label (docs/network.md once drew the object storage flow under both API boxes).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describeWithChromium, mermaidBlocks, readabilityProblems, RenderedBlock, renderMermaidFiles } from './support/mermaid';

const ROOT = join(__dirname, '..');
const documents = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`)].filter(
  (path) => mermaidBlocks(readFileSync(join(ROOT, path), 'utf8')).length > 0,
);

/** The defect this check keeps out, as docs/network.md drew it: a fan of edges to stacked boxes, drawn through them. */
const TANGLED = `flowchart LR
  primary["Spilo primary"]
  replica["Spilo replica"]
  backup["logical backup"]
  dns["cluster DNS"]
  apiservice["Kubernetes API Service"]
  apiservers["Kubernetes API servers"]
  storage["object storage"]
  primary -->|53/udp, 53/tcp| dns
  primary -->|443| apiservice
  primary -->|6443| apiservers
  primary -->|443| storage
  replica -->|53/udp, 53/tcp| dns
  replica -->|443| apiservice
  replica -->|6443| apiservers
  replica -->|443| storage
  backup -->|53/udp, 53/tcp| dns
  backup -->|443| apiservice
  backup -->|6443| apiservers
  backup -->|443| storage
`;
const UNPARSABLE = 'flowchart LR\n  a -- label -->\n';

describeWithChromium('Mermaid figures render in headless Chromium and read clearly', () => {
  let rendered: RenderedBlock[] = [];
  let fixtures: RenderedBlock[] = [];
  const blocks = documents.flatMap((path) => mermaidBlocks(readFileSync(join(ROOT, path), 'utf8')).map((definition, index) => ({ path, index, definition })));

  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'jsdb-mermaid-'));
    try {
      const fixture = join(dir, 'fixtures.md');
      writeFileSync(fixture, [TANGLED, UNPARSABLE].map((definition) => `\`\`\`mermaid\n${definition}\`\`\`\n`).join('\n'));
      const all = renderMermaidFiles([...documents, relative(ROOT, fixture)]);
      rendered = all.filter((block) => documents.includes(block.file));
      fixtures = all.filter((block) => !documents.includes(block.file));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  test('docs/network.md and docs/architecture.md have their figures among those checked', () => {
    expect(documents).toEqual(expect.arrayContaining(['docs/network.md', 'docs/architecture.md']));
    expect(rendered.map(({ file, index }) => `${file} ${index}`)).toEqual(blocks.map(({ path, index }) => `${path} ${index}`));
  });

  test.each(blocks)('$path block $index parses and renders every node it declares', ({ path, index }) => {
    const block = rendered.find((b) => b.file === path && b.index === index)!;
    expect(block.error).toBeUndefined();
    expect(block.svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    const declared = [...block.definition.matchAll(/^\s*\w+\["([^"]*)"\]\s*$/gm)].map(([, label]) => label.replace(/<br\s*\/?>/g, '\n')).sort();
    const drawn = (block.nodes ?? []).filter((node) => /^flowchart-/.test(node.id)).map((node) => node.label.trim());
    expect(drawn.filter((label) => declared.includes(label)).sort()).toEqual(declared);
  });

  test.each(blocks)('$path block $index: no edge runs under a box it does not connect, no label covers another', ({ path, index }) => {
    const block = rendered.find((b) => b.file === path && b.index === index)!;
    expect(readabilityProblems(block)).toEqual([]);
  });

  test('the check sees the defect: the tangled fan draws edges under boxes they do not connect', () => {
    const [tangled] = fixtures;
    expect(tangled.error).toBeUndefined();
    expect(readabilityProblems(tangled)).toEqual(expect.arrayContaining([expect.stringMatching(/^the edge .* runs under "/)]));
  });

  test('a block that does not parse fails with the parse error', () => {
    const [, unparsable] = fixtures;
    expect(unparsable.error).toContain('Parse error');
  });
});
