import { ENVIRONMENTS, EXAMPLE_VALUES, GITOPS } from '../config';
import { placeholderWarnings } from '../rules/placeholders';
import { writeNetworkDocs } from './network-docs';
import { outputState, prepareOutputFolder } from './output-folder';
import { ConfigurationError, OutputFolderError, synthesizeAll } from './synthesize';

/**
 * An error of the app (a bug, or a value of the wrong type) during a synth, with what it left on disk: the synth's
 * entry point (scripts/synth.js) prints the cause with its places in lib/, then `outputState`.
 */
export class SynthFailure extends Error {
  constructor(
    public readonly cause: unknown,
    public readonly outputState: string,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'SynthFailure';
  }
}

/**
 * `npm run synth`: synthesizes every environment into dist/. A configuration error is reported on stderr, every
 * broken rule at once and without a stack trace, and the process exits with 1; after any failure the last line says
 * what is on disk (dist/ is left as it was unless the failure came after it was replaced).
 * After a successful synthesis, docs/network.md is regenerated from what was written, and a warning is printed for
 * every example value still in place (lib/rules/placeholders.ts).
 */
export function runSynth(environments = ENVIRONMENTS, gitops = GITOPS, distDir = 'dist', networkDocs = 'docs/network.md', examples = EXAMPLE_VALUES): void {
  const before = prepareOutputFolder(distDir);
  try {
    const { objects, warnings } = synthesizeAll(environments, gitops, distDir);
    writeNetworkDocs(environments, objects, networkDocs);
    for (const warning of [...warnings, ...placeholderWarnings(environments, gitops, examples)]) process.stderr.write(`warning: ${warning}\n`);
  } catch (error) {
    const state = outputState(distDir, before);
    if (!(error instanceof ConfigurationError || error instanceof OutputFolderError)) throw new SynthFailure(error, state);
    process.stderr.write(`${error.message}\n${state}\n`);
    process.exitCode = 1;
  }
}
