import { ENVIRONMENTS, GITOPS } from './config';
import { ConfigurationError, synthesizeAll } from './synthesize';

/**
 * `npm run synth`: synthesizes every environment into dist/. A configuration error is reported on stderr, every
 * broken rule at once and without a stack trace, and the process exits with 1; dist/ is left as it was.
 */
export function runSynth(environments = ENVIRONMENTS, gitops = GITOPS, distDir = 'dist'): void {
  try {
    synthesizeAll(environments, gitops, distDir);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(`${error.message}\nNothing was written: ${distDir}/ is unchanged.\n`);
    process.exitCode = 1;
  }
}
