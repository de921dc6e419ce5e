/**
 * Puppeteer (through @mermaid-js/mermaid-cli, a dev dependency for the Mermaid rendering check) downloads no
 * browser: the check drives Debian's chromium (test/support/mermaid.ts).
 */
module.exports = { skipDownload: true };
