/**
 * Renders every Mermaid block of the Markdown files named on the command line with mermaid-cli, in one headless
 * Chromium (the one at CHROMIUM, default Debian's /usr/bin/chromium; Puppeteer downloads none, .puppeteerrc.cjs),
 * and prints, as JSON, per block: the parse or render error, or the SVG and its geometry as the browser laid it out
 * (each node's box and label, the subgraphs' ids, each edge's sampled path and each edge label's box, in the same coordinates).
 * Used by test/support/mermaid.ts; a separate program because mermaid-cli is an ES module.
 *
 *   node test/support/render-mermaid.mjs docs/network.md [more.md ...]
 */
import { readFileSync } from 'node:fs';
import { renderMermaid } from '@mermaid-js/mermaid-cli';
import puppeteer from 'puppeteer';

/** Puppeteer's launch options: the installed browser, headless, and nothing that reaches the network on its own. */
export const LAUNCH = {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--headless',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

/** The Mermaid blocks of a Markdown text, in order. */
const blocks = (markdown) => [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((match) => match[1]);

/** In the page: the geometry of the rendered SVG, in client coordinates. */
function geometry() {
  const rect = (element) => {
    const r = element.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  };
  const svg = document.querySelector('svg');
  const prefix = `${svg.id}-`;
  const nodes = [...svg.querySelectorAll('g.node')].map((node) => {
    const shape = node.querySelector(':scope > rect, :scope > polygon, :scope > circle, :scope > path, :scope > g.basic') ?? node;
    const label = node.querySelector('.nodeLabel') ?? node;
    return { id: node.id.slice(prefix.length), label: label.innerText ?? label.textContent, box: rect(shape) };
  });
  const edges = [...svg.querySelectorAll('path.flowchart-link')].map((path) => {
    const matrix = path.getScreenCTM();
    const length = path.getTotalLength();
    const points = [];
    for (let at = 0; at <= length; at += 2) {
      const point = path.getPointAtLength(at).matrixTransform(matrix);
      points.push([point.x, point.y]);
    }
    return { id: path.dataset.id, points };
  });
  const edgeLabels = [...svg.querySelectorAll('g.edgeLabel')]
    .map((label) => ({ id: label.querySelector('[data-id]')?.dataset.id, text: label.textContent.trim(), box: rect(label) }))
    .filter((label) => label.text !== '');
  const clusters = [...svg.querySelectorAll('g.cluster')].map((cluster) => cluster.id.slice(prefix.length));
  return { nodes, clusters, edges, edgeLabels };
}

const files = process.argv.slice(2);
const browser = await puppeteer.launch(LAUNCH);
try {
  const page = await browser.newPage();
  const result = [];
  for (const file of files) {
    for (const [index, definition] of blocks(readFileSync(file, 'utf8')).entries()) {
      try {
        const { data } = await renderMermaid(browser, definition, 'svg', { svgId: `block-${index}` });
        const svg = new TextDecoder().decode(data);
        await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
        result.push({ file, index, definition, svg, ...(await page.evaluate(geometry)) });
      } catch (error) {
        result.push({ file, index, definition, error: String(error?.message ?? error).split('\n').slice(0, 4).join('\n') });
      }
    }
  }
  process.stdout.write(JSON.stringify(result));
} finally {
  await browser.close();
}
