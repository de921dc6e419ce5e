/**
 * Snapshots written as YAML, the way dist/ writes the same objects: a fix's fragment reads in a pull request as it
 * reads in dist/, in about a third of the lines of jest's default format.
 * `expect(yamlFragment(value)).toMatchSnapshot()`, with `expect.addSnapshotSerializer(yamlSnapshotSerializer)`.
 */
import { stringifyYaml } from '../../lib/app/yaml-output';

const FRAGMENT = Symbol('yaml fragment');

/** `value`, to be snapshotted as YAML. */
export const yamlFragment = (value: unknown) => ({ [FRAGMENT]: value });

export const yamlSnapshotSerializer = {
  test: (value: unknown): boolean => typeof value === 'object' && value !== null && FRAGMENT in value,
  serialize: (value: { [FRAGMENT]: unknown }): string => stringifyYaml(value[FRAGMENT]).trimEnd(),
};
