/**
 * Seed failure 3: the operator, in namespace `postgres-operator`, manages the cluster through PostgreSQL (5432)
 * and Patroni's REST API (8008); the pods' ingress policy blocked it.
 */
import { ENVIRONMENTS } from '../lib/config';
import { find, rulePermitsPort, rulesOf, synthEnvironment } from './util';

const OPERATOR_NAMESPACE_PEER = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'postgres-operator' } } };

const cases = ENVIRONMENTS.flatMap((environment) => {
  const objects = synthEnvironment(environment);
  return environment.clusters.map((cluster) => [`${environment.name}/${cluster.name}`, { cluster, objects }] as const);
});

describe.each(cases)('failure 3: %s', (_name, { cluster, objects }) => {
  const operatorRules = () =>
    rulesOf(find(objects, 'NetworkPolicy', `${cluster.name}-spilo`), 'ingress').filter((rule) =>
      rule.peers.some((peer) => JSON.stringify(peer) === JSON.stringify(OPERATOR_NAMESPACE_PEER)),
    );

  test.each([5432, 8008])('the operator namespace reaches the Spilo pods on %i', (port) => {
    expect(operatorRules().some((rule) => rulePermitsPort(rule, port))).toBe(true);
  });

  test('the operator is admitted on exactly PostgreSQL and the Patroni API', () => {
    expect(operatorRules().flatMap((rule) => rule.ports.map((p) => `${p.port}/${p.protocol}`)).sort()).toEqual(['5432/TCP', '8008/TCP']);
  });
});
