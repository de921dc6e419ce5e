import { ENVIRONMENTS, EXAMPLE_VALUES, GITOPS } from '../../lib/config';
import { placeholderWarnings } from '../../lib/rules/placeholders';

/** What a successful synth of the shipped configuration prints on stderr: a warning per example value still in place. */
export const SHIPPED_WARNINGS = placeholderWarnings(ENVIRONMENTS, GITOPS, EXAMPLE_VALUES)
  .map((warning) => `warning: ${warning}\n`)
  .join('');
