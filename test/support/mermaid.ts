/**
 * mermaid-cli (`@mermaid-js/mermaid-cli`, a dev dependency) rendering Markdown's Mermaid blocks in a real headless
 * Chromium: Debian's `chromium` (Puppeteer downloads no browser, see .puppeteerrc.cjs). Missing: the suite is skipped
 * with the install command, or fails when REQUIRE_INTEGRATION_TOOLS=1 (CI).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const MMDC = join(ROOT, 'node_modules', '.bin', 'mmdc');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const INSTALL_CHROMIUM = 'apt-get install -y chromium';

/** Puppeteer's launch options: the installed browser, headless, and nothing that reaches the network on its own. */
const LAUNCH = {
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

/** The Mermaid blocks of a Markdown text, in order. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
}

export interface Rendering {
  readonly ok: boolean;
  /** mermaid-cli's output: the parse error when a block does not render. */
  readonly output: string;
  /** Each rendered SVG's text, in the order of the blocks. */
  readonly svgs: string[];
}

/** Renders every Mermaid block of `markdown` to SVG with one mermaid-cli run (one browser). */
export function renderMermaid(markdown: string): Rendering {
  const dir = mkdtempSync(join(tmpdir(), 'jsdb-mermaid-'));
  try {
    const config = join(dir, 'puppeteer.json');
    writeFileSync(config, JSON.stringify(LAUNCH));
    writeFileSync(join(dir, 'in.md'), markdown);
    const result = spawnSync(MMDC, ['--quiet', '--puppeteerConfigFile', config, '--input', join(dir, 'in.md'), '--output', join(dir, 'out.md')], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const svgs = readdirSync(dir)
      .filter((file) => /^out-\d+\.svg$/.test(file))
      .sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]))
      .map((file) => readFileSync(join(dir, file), 'utf8'));
    return { ok: result.status === 0, output: `${result.stdout}${result.stderr}${result.error ? String(result.error) : ''}`, svgs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function describeWithChromium(name: string, body: () => void): void {
  if (existsSync(CHROMIUM) && existsSync(MMDC)) {
    describe(name, body);
  } else if (process.env.REQUIRE_INTEGRATION_TOOLS === '1') {
    describe(name, () => {
      test('has chromium and mermaid-cli installed (REQUIRE_INTEGRATION_TOOLS=1)', () => {
        throw new Error(`${existsSync(CHROMIUM) ? MMDC : CHROMIUM} not found: install chromium with \`${INSTALL_CHROMIUM}\` (mermaid-cli with \`npm ci\`)`);
      });
    });
  } else {
    console.warn(`SKIPPED "${name}": ${CHROMIUM} or mermaid-cli not found. Install with \`${INSTALL_CHROMIUM}\` and \`npm ci\` to run it.`);
    describe.skip(name, body);
  }
}
