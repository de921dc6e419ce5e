import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ENVIRONMENTS } from '../lib/config';
import { formatViolations, SchemaValidator } from '../lib/schema-validation';
import { find, synthEnvironment } from './util';

const ROOT = join(__dirname, '..');
const validator = new SchemaValidator();

function* yamlFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* yamlFiles(path);
    else if (path.endsWith('.yaml')) yield path;
  }
}

const committed = [...yamlFiles(join(ROOT, 'dist'))].flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((document) => {
    const object = document.toJS();
    return [`${relative(ROOT, file)}: ${object.kind} ${object.metadata?.name}`, object] as const;
  }),
);

describe('every object in dist/ validates strictly against its real schema', () => {
  test('dist/ is not empty', () => {
    expect(committed.length).toBeGreaterThan(0);
  });

  test.each(committed)('%s', (_name, object) => {
    expect(formatViolations(validator.validate(object))).toBe('');
  });
});

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('postgresql object (%s)', (_name, environment) => {
  test('validates against both operator releases, v2.0.1 and v1.15.1', () => {
    const postgresql = find(synthEnvironment(environment), 'postgresql', 'jewelry-shop-db');
    expect(validator.validate(postgresql)).toEqual([]);
  });
});

describe('the validator reports what it rejects: object, field and rule', () => {
  const postgresql = find(synthEnvironment(ENVIRONMENTS[0]), 'postgresql', 'jewelry-shop-db');
  const withSpec = (spec: object) => ({ ...postgresql, spec: { ...postgresql.spec, ...spec } });

  test('an unknown field, in both releases', () => {
    expect(validator.validate(withSpec({ numberOfInstance: 3 }))).toEqual([
      { object: 'postgresql jewelry-shop/jewelry-shop-db', schema: 'zalando-postgres-operator-v2.0.1', field: '/spec', rule: 'unknown field "numberOfInstance" (not in the schema)' },
      { object: 'postgresql jewelry-shop/jewelry-shop-db', schema: 'zalando-postgres-operator-v1.15.1', field: '/spec', rule: 'unknown field "numberOfInstance" (not in the schema)' },
    ]);
  });

  test('a field only the newer release knows is rejected by the older one', () => {
    const violations = validator.validate(withSpec({ topologySpreadConstraints: [] }));
    expect(violations).toEqual([
      { object: 'postgresql jewelry-shop/jewelry-shop-db', schema: 'zalando-postgres-operator-v1.15.1', field: '/spec', rule: 'unknown field "topologySpreadConstraints" (not in the schema)' },
    ]);
  });

  test('a wrong type', () => {
    const violations = validator.validate(withSpec({ numberOfInstances: '3' }));
    expect(violations.map((v) => `${v.schema} ${v.field}: ${v.rule}`)).toEqual([
      'zalando-postgres-operator-v2.0.1 /spec/numberOfInstances: must be integer',
      'zalando-postgres-operator-v1.15.1 /spec/numberOfInstances: must be integer',
    ]);
  });

  test('a pattern violation: "100GB" is not a Kubernetes quantity', () => {
    const violations = validator.validate(withSpec({ volume: { size: '100GB' } }));
    expect(violations).toHaveLength(2);
    expect(violations.map((v) => v.field)).toEqual(['/spec/volume/size', '/spec/volume/size']);
    expect(violations[0].rule).toMatch(/^must match pattern "/);
  });

  test('a built-in kind: an unknown field in a NetworkPolicy rule', () => {
    const policy = find(synthEnvironment(ENVIRONMENTS[0]), 'NetworkPolicy', 'jewelry-shop-db-pooler');
    const broken = { ...policy, spec: { ...policy.spec, ingress: [{ ...policy.spec.ingress[0], form: [] }] } };
    expect(validator.validate(broken)).toEqual([
      { object: 'NetworkPolicy jewelry-shop/jewelry-shop-db-pooler', schema: 'kubernetes-1.27', field: '/spec/ingress/0', rule: 'unknown field "form" (not in the schema)' },
    ]);
  });

  test('a kind without a schema', () => {
    expect(validator.validate({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([
      { object: 'Widget w', schema: 'none', field: '/', rule: 'no schema for apiVersion example.com/v1, kind Widget' },
    ]);
  });
});
