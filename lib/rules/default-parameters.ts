/** The rule of `removeDefaultParameters`: it names defaults, each once, none that the cluster's `parameters` sets too. */
import { DEFAULT_PARAMETERS } from '../model/postgres-parameters';
import { q } from './text';

/** A cluster's parameters after resolution (defaults without the removed ones, its own over them), and what it removed. */
export interface ResolvedParameterSettings {
  readonly name: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly removeDefaultParameters?: readonly string[];
}

/** `removeDefaultParameters` names defaults, each once, none that `parameters` sets too. */
export function validateRemovedDefaultParameters(settings: ResolvedParameterSettings): string[] {
  const removed = settings.removeDefaultParameters ?? [];
  return removed.flatMap((name, index) => {
    if (!(name in DEFAULT_PARAMETERS)) {
      return [
        `${settings.name}: removeDefaultParameters[${index}] is ${q(name)}, which is not a default parameter (the defaults: ${Object.keys(DEFAULT_PARAMETERS).join(', ')}): ` +
          'remove it from removeDefaultParameters; a parameter that is not a default is simply not set',
      ];
    }
    if (removed.indexOf(name) !== index) return [`${settings.name}: removeDefaultParameters lists ${q(name)} twice: list each parameter once`];
    // A removed default is in the resolved parameters only when the cluster's own parameters set it.
    if (name in settings.parameters) {
      return [
        `${settings.name}: removeDefaultParameters[${index}] is ${q(name)}, which parameters sets too (got ${q(settings.parameters[name])}): ` +
          `keep ${q(name)} in parameters to replace the default, or remove it there to drop the default`,
      ];
    }
    return [];
  });
}
