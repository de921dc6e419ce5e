/**
 * Puppeteer (through @mermaid-js/mermaid-cli, a dev dependency for the Mermaid rendering check) downloads no
 * browser: the check drives Debian's chromium (test/support/mermaid.ts, test/support/render-mermaid.mjs).
 */
module.exports = { skipDownload: true };
