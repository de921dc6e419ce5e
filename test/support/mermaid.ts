/**
 * The Mermaid figures of the README and docs/ as a reader's viewer draws them: mermaid-cli (`@mermaid-js/mermaid-cli`,
 * a dev dependency) in a real headless Chromium, Debian's `chromium` (Puppeteer downloads no browser,
 * .puppeteerrc.cjs). One run of test/support/render-mermaid.mjs renders every block of the files given, in one
 * browser. Missing chromium: the suite is skipped with the install command, or fails when REQUIRE_INTEGRATION_TOOLS=1.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeIfInstalled, MissingTool } from './skip';

const ROOT = join(__dirname, '..', '..');
const RENDER = join(__dirname, 'render-mermaid.mjs');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const INSTALL_CHROMIUM = 'apt-get install -y chromium';

interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** One Mermaid block as the browser rendered it (client coordinates), or the error that stopped it. */
export interface RenderedBlock {
  readonly file: string;
  readonly index: number;
  readonly definition: string;
  readonly error?: string;
  readonly svg?: string;
  /** `flowchart-<id>-<n>` (mermaid's element id), its label's text (lines joined by newlines) and its box. */
  readonly nodes?: readonly { readonly id: string; readonly label: string; readonly box: Box }[];
  /** The subgraphs' ids. */
  readonly clusters?: readonly string[];
  /** `L_<from>_<to>_<n>` and points sampled every 2 px along the drawn path. */
  readonly edges?: readonly { readonly id: string; readonly points: readonly (readonly [number, number])[] }[];
  readonly edgeLabels?: readonly { readonly id: string; readonly text: string; readonly box: Box }[];
}

/** The Mermaid blocks of a Markdown text, in order. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
}

/** Every Mermaid block of `files` (paths from the project root), rendered in one browser. */
export function renderMermaidFiles(files: readonly string[]): RenderedBlock[] {
  const result = spawnSync(process.execPath, [RENDER, ...files], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 150_000 });
  if (result.status !== 0) throw new Error(`render-mermaid.mjs failed (${result.status ?? result.signal}): ${result.stderr}${result.error ?? ''}`);
  return JSON.parse(result.stdout) as RenderedBlock[];
}

/** A flowchart's arrows as written: `a -->|ports| b`, `a <-->|ports| b`, `a --> b`. */
export function flowchartEdges(definition: string): { from: string; to: string; both: boolean; label: string }[] {
  return [...definition.matchAll(/^\s*(\w+)\s+(<?-->)(?:\|([^|]*)\|)?\s*(\w+)\s*$/gm)].map(([, from, arrow, label, to]) => ({
    from,
    to,
    both: arrow === '<-->',
    label: label ?? '',
  }));
}

const inside = ([x, y]: readonly [number, number], box: Box, margin: number) =>
  x > box.x + margin && x < box.x + box.width - margin && y > box.y + margin && y < box.y + box.height - margin;
const overlap = (a: Box, b: Box, margin: number) =>
  a.x + margin < b.x + b.width && b.x + margin < a.x + a.width && a.y + margin < b.y + b.height && b.y + margin < a.y + a.height;

/**
 * What makes a rendered flowchart hard to read: an edge drawn through the box of a node it does not connect (it
 * reads as a flow to that node), an edge label over a node, two edge labels over each other. Empty when readable.
 * Every drawn edge is checked, whatever syntax drew it: its ends are read from its id, `L_<from>_<to>_<n>`, split
 * where both sides are ids of the diagram's nodes or subgraphs (ids may hold `_` themselves).
 */
export function readabilityProblems(block: RenderedBlock): string[] {
  const nodes = (block.nodes ?? []).map((node) => ({ ...node, id: node.id.replace(/^flowchart-(.*)-\d+$/, '$1') }));
  const ids = new Set([...nodes.map((node) => node.id), ...(block.clusters ?? [])]);
  const labelOf = (id: string) => nodes.find((node) => node.id === id)?.label.replace(/\n/g, ' / ') ?? id;
  const problems: string[] = [];
  for (const edge of block.edges ?? []) {
    const ends = edge.id.match(/^L_(.+)_\d+$/)?.[1] ?? '';
    const split = [...ends.matchAll(/_/g)]
      .map((match) => [ends.slice(0, match.index), ends.slice(match.index + 1)])
      .filter(([from, to]) => ids.has(from) && ids.has(to));
    if (split.length !== 1) {
      problems.push(`cannot tell the ends of the edge ${edge.id} (${split.length} readings)`);
      continue;
    }
    const [[from, to]] = split;
    for (const node of nodes) {
      if (node.id === from || node.id === to) continue;
      if (edge.points.some((point) => inside(point, node.box, 1))) problems.push(`the edge ${labelOf(from)} -> ${labelOf(to)} runs under "${labelOf(node.id)}"`);
    }
  }
  const labels = block.edgeLabels ?? [];
  labels.forEach((label, i) => {
    for (const node of nodes) {
      if (overlap(label.box, node.box, 1)) problems.push(`the label "${label.text}" of ${label.id} lies over "${labelOf(node.id)}"`);
    }
    for (const other of labels.slice(i + 1)) {
      if (overlap(label.box, other.box, 1)) problems.push(`the labels "${label.text}" of ${label.id} and "${other.text}" of ${other.id} overlap`);
    }
  });
  return problems;
}

/** What the figures need and this machine lacks, or undefined when they can be rendered. */
export function missingChromium(): MissingTool | undefined {
  if (!existsSync(CHROMIUM)) return { reason: `${CHROMIUM} not found`, install: INSTALL_CHROMIUM };
  if (!existsSync(join(ROOT, 'node_modules', '@mermaid-js', 'mermaid-cli'))) return { reason: 'mermaid-cli is not installed', install: 'npm ci' };
  return undefined;
}

/** `describe` when chromium and mermaid-cli are installed; otherwise skipped with the reason, or failing in CI. */
export function describeWithChromium(name: string, body: () => void): void {
  describeIfInstalled(name, missingChromium(), body);
}
