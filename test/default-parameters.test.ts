/**
 * A cluster's `parameters` are added over the tuned defaults, not instead of them; a default goes only when
 * `removeDefaultParameters` names it. Checked on what synth writes, for every cluster of every environment.
 */
import { DEV, ENVIRONMENTS, GITOPS } from '../lib/config';
import { DatabaseClusterConfig } from '../lib/model/cluster';
import { DEFAULT_PARAMETERS } from '../lib/model/postgres-parameters';
import { configurationProblems } from '../lib/app/synthesize';
import { find, synthEnvironment } from './util';

const CLUSTERS = ENVIRONMENTS.flatMap((environment) => environment.clusters.map((cluster) => [`${environment.name}/${cluster.name}`, environment, cluster] as const));

/** The `postgresql.parameters` synth writes for `cluster` of `environment` after `change`. */
function parametersAfter(environment: (typeof ENVIRONMENTS)[number], cluster: DatabaseClusterConfig, change: Partial<DatabaseClusterConfig>): Record<string, string> {
  const changed = { ...environment, clusters: environment.clusters.map((c) => (c === cluster ? { ...c, ...change } : c)) };
  return find(synthEnvironment(changed), 'postgresql', cluster.name).spec.postgresql.parameters;
}

describe.each(CLUSTERS)('%s', (_label, environment, cluster) => {
  const own = cluster.parameters ?? {};
  const removed = cluster.removeDefaultParameters ?? [];

  test('one more parameter keeps every tuned default and the cluster\'s own parameters', () => {
    const parameters = parametersAfter(environment, cluster, { parameters: { ...own, jit: 'off' } });
    const expected = Object.entries({ ...DEFAULT_PARAMETERS, ...own, jit: 'off' }).filter(([name]) => !removed.includes(name) || name in own);
    expect(parameters).toEqual(Object.fromEntries(expected));
  });

  test('a parameter of the same name replaces the default', () => {
    // A plain number that PostgreSQL takes, changed to a smaller valid one.
    const name = Object.keys(DEFAULT_PARAMETERS).find((n) => !removed.includes(n) && /^[1-9]\d+$/.test(DEFAULT_PARAMETERS[n]))!;
    const value = String(Number(DEFAULT_PARAMETERS[name]) - 1);
    expect(parametersAfter(environment, cluster, { parameters: { ...own, [name]: value } })[name]).toBe(value);
  });

  test('a default named in removeDefaultParameters is left out, the others stay', () => {
    const name = Object.keys(DEFAULT_PARAMETERS).find((n) => !(n in own))!;
    const parameters = parametersAfter(environment, cluster, { removeDefaultParameters: [...removed, name] });
    expect(parameters).not.toHaveProperty(name);
    expect(Object.keys(parameters).sort()).toEqual(
      Object.keys({ ...DEFAULT_PARAMETERS, ...own }).filter((n) => n !== name && !removed.includes(n)).sort(),
    );
  });
});

describe('removeDefaultParameters is checked', () => {
  const problemsOf = (change: Partial<DatabaseClusterConfig>) => configurationProblems([{ ...DEV, clusters: [{ ...DEV.clusters[0], ...change }] }], GITOPS);
  const defaults = Object.keys(DEFAULT_PARAMETERS).join(', ');

  test.each<[string, Partial<DatabaseClusterConfig>, string]>([
    ['a name that is not a default', { removeDefaultParameters: ['jit'] },
      `dev: jewelry-shop-db: removeDefaultParameters[0] is "jit", which is not a default parameter (the defaults: ${defaults}): remove it from removeDefaultParameters; a parameter that is not a default is simply not set`],
    ['a name listed twice', { removeDefaultParameters: ['work_mem', 'work_mem'] },
      'dev: jewelry-shop-db: removeDefaultParameters lists "work_mem" twice: list each parameter once'],
    ['a name that parameters sets too', { parameters: { work_mem: '4MB' }, removeDefaultParameters: ['work_mem'] },
      'dev: jewelry-shop-db: removeDefaultParameters[0] is "work_mem", which parameters sets too (got "4MB"): keep "work_mem" in parameters to replace the default, or remove it there to drop the default'],
  ])('%s', (_case, change, message) => {
    expect(problemsOf(change)).toEqual([message]);
  });
});
