import { ENVIRONMENTS, GITOPS } from '../config';
import { writeNetworkDocs } from './network-docs';
import { ConfigurationError, synthesizeAll } from './synthesize';

/**
 * `npm run synth`: synthesizes every environment into dist/. A configuration error is reported on stderr, every
 * broken rule at once and without a stack trace, and the process exits with 1; dist/ is left as it was.
 * After a successful synthesis, docs/network.md is regenerated from what was written.
 */
export function runSynth(environments = ENVIRONMENTS, gitops = GITOPS, distDir = 'dist', networkDocs = 'docs/network.md'): void {
  try {
    const objects = synthesizeAll(environments, gitops, distDir);
    writeNetworkDocs(environments, objects, networkDocs);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(`${error.message}\nNothing was written: ${distDir}/ is unchanged.\n`);
    process.exitCode = 1;
  }
}
