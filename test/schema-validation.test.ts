import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Testing } from 'cdk8s';
import { ENVIRONMENTS, GITOPS } from '../lib/config';
import { formatViolations, SchemaValidator } from '../tools/schema-validation';
import { buildGitOps } from '../lib/app/synthesize';
import { find, K8sObject, synthEnvironment, UNWRITTEN_OUTDIR } from './util';

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

/** What synth produces now, in memory: every environment's objects and the GitOps objects, by folder. */
const synthesized: Record<string, K8sObject[]> = {
  ...Object.fromEntries(ENVIRONMENTS.map((environment) => [environment.name, synthEnvironment(environment)])),
  gitops: buildGitOps(GITOPS, ENVIRONMENTS, UNWRITTEN_OUTDIR).charts.flatMap((chart) => Testing.synth(chart) as K8sObject[]),
};

describe('every object synthesized in memory validates strictly (before dist/ is written)', () => {
  test.each(Object.entries(synthesized).flatMap(([folder, objects]) => objects.map((o) => [`${folder}: ${o.kind} ${o.metadata.name}`, o] as const)))(
    '%s',
    (_name, object) => {
      expect(formatViolations(validator.validate(object))).toBe('');
    },
  );
});

describe.each(ENVIRONMENTS.map((e) => [e.name] as const))('postgresql object (%s)', (name) => {
  const postgresql = find(synthesized[name], 'postgresql', 'jewelry-shop-db');

  test('is checked against both operator releases, v2.0.1 and v1.15.1', () => {
    expect(validator.schemasFor(postgresql)).toEqual(['zalando-postgres-operator-v2.0.1', 'zalando-postgres-operator-v1.15.1']);
  });

  test('validates against both operator releases, v2.0.1 and v1.15.1', () => {
    expect(validator.validate(postgresql)).toEqual([]);
  });
});

describe('the validator reports what it rejects: object, field and rule', () => {
  const postgresql = find(synthesized[ENVIRONMENTS[0].name], 'postgresql', 'jewelry-shop-db');
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

  test('a sub-object v1.15.1 keeps unknown fields of (x-kubernetes-preserve-unknown-fields) is strict only in v2.0.1', () => {
    const sidecar = postgresql.spec.sidecars[0];
    expect(validator.validate(withSpec({ sidecars: [{ ...sidecar, imagePullPolicyy: 'Always' }] }))).toEqual([
      { object: 'postgresql jewelry-shop/jewelry-shop-db', schema: 'zalando-postgres-operator-v2.0.1', field: '/spec/sidecars/0', rule: 'unknown field "imagePullPolicyy" (not in the schema)' },
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
    const rule = String.raw`must match pattern "^(\d+(e\d+)?|\d+(\.\d+)?(e\d+)?[EPTGMK]i?)$"`;
    expect(validator.validate(withSpec({ volume: { ...postgresql.spec.volume, size: '100GB' } }))).toEqual([
      { object: 'postgresql jewelry-shop/jewelry-shop-db', schema: 'zalando-postgres-operator-v2.0.1', field: '/spec/volume/size', rule },
      { object: 'postgresql jewelry-shop/jewelry-shop-db', schema: 'zalando-postgres-operator-v1.15.1', field: '/spec/volume/size', rule },
    ]);
  });

  test('a built-in kind: an unknown field in a NetworkPolicy rule', () => {
    const policy = find(synthesized[ENVIRONMENTS[0].name], 'NetworkPolicy', 'jewelry-shop-db-pooler');
    const broken = { ...policy, spec: { ...policy.spec, ingress: [{ ...policy.spec.ingress[0], form: [] }] } };
    expect(validator.validate(broken)).toEqual([
      { object: 'NetworkPolicy jewelry-shop/jewelry-shop-db-pooler', schema: 'kubernetes-1.27', field: '/spec/ingress/0', rule: 'unknown field "form" (not in the schema)' },
    ]);
  });

  test('a GitOps object: an unknown field in an Argo CD Application sync policy', () => {
    const application = find(synthesized.gitops, 'Application', `jewelry-shop-db-${ENVIRONMENTS[0].name}`);
    const broken = { ...application, spec: { ...application.spec, syncPolicy: { ...application.spec.syncPolicy, selfHeal: true } } };
    expect(validator.validate(broken)).toEqual([
      { object: `Application argocd/${application.metadata.name}`, schema: 'argo-cd-v3.5.1', field: '/spec/syncPolicy', rule: 'unknown field "selfHeal" (not in the schema)' },
    ]);
  });

  test('a kind without a schema', () => {
    expect(validator.validate({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([
      { object: 'Widget w', schema: 'none', field: '/', rule: 'no schema for apiVersion example.com/v1, kind Widget' },
    ]);
  });
});

describe('compiled validators are cached, keyed by the schemas', () => {
  // A small schemas folder of one made-up kind, so that compiling is quick.
  const work = mkdtempSync(join(tmpdir(), 'schema-validators-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const key = 'example.com/v1/Widget';
  const widgetSchema = (sizePattern: string) => ({
    type: 'object',
    // maxLength: ajv's compiled code then needs one of its runtime modules (ucs2length).
    properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec: { type: 'object', properties: { size: { type: 'string', pattern: sizePattern, maxLength: 8 } }, additionalProperties: false } },
  });
  const writeSchemas = (dir: string, sizePattern: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'kubernetes-1.27.json'), JSON.stringify({ kinds: {}, definitions: {} }));
    writeFileSync(join(dir, 'custom-resources.json'), JSON.stringify({ kinds: { [key]: { 'widget-v1': widgetSchema(sizePattern) } } }));
  };
  // Outside any node_modules folder: the compiled modules must load from anywhere.
  const cache = join(work, 'cache');
  const widget = (spec: object) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec });
  const broken = [widget({ size: 'large' }), widget({ size: '1', colour: 'red' }), widget({ size: '123456789' })];

  test('the first validator compiles and writes the cache; the next loads it and reports exactly what ajv compiled in memory reports', () => {
    writeSchemas(join(work, 'a'), '^[0-9]+$');
    const first = new SchemaValidator(join(work, 'a'), cache);
    expect(readdirSync(cache)).toEqual([expect.stringMatching(/^schema-validators-[0-9a-f]{16}$/)]);
    const loaded = new SchemaValidator(join(work, 'a'), cache);
    const inMemory = new SchemaValidator(join(work, 'a'), false);
    for (const object of broken) {
      const expected = inMemory.validate(object);
      expect(expected.length).toBeGreaterThan(0);
      expect(first.validate(object)).toEqual(expected);
      expect(loaded.validate(object)).toEqual(expected);
    }
    expect(loaded.validate(widget({ size: '3' }))).toEqual([]);
  });

  test('a validator without a cache compiles in memory: a compiled module in the cache, even a wrong one, is never read', () => {
    writeSchemas(join(work, 'c'), '^[0-9]+$');
    new SchemaValidator(join(work, 'c'), join(work, 'poisoned'));
    const [folder] = readdirSync(join(work, 'poisoned'));
    const index: Record<string, string> = JSON.parse(readFileSync(join(work, 'poisoned', folder, 'index.json'), 'utf8'));
    // Every cached validator now accepts anything.
    for (const file of Object.values(index)) writeFileSync(join(work, 'poisoned', folder, file), 'exports.validate = () => true;\n');
    expect(new SchemaValidator(join(work, 'c'), join(work, 'poisoned')).validate(widget({ size: 'large' }))).toEqual([]);
    expect(new SchemaValidator(join(work, 'c'), false).validate(widget({ size: 'large' }))).toEqual([
      { object: 'Widget w', schema: 'widget-v1', field: '/spec/size', rule: 'must match pattern "^[0-9]+$"' },
    ]);
  });

  test('other schemas get other compiled validators: a changed schema is never checked with the old code', () => {
    writeSchemas(join(work, 'b'), '^(small|large)$');
    const validator = new SchemaValidator(join(work, 'b'), cache);
    expect(readdirSync(cache)).toHaveLength(2);
    expect(validator.validate(widget({ size: 'large' }))).toEqual([]);
    expect(validator.validate(widget({ size: '3' }))).toEqual([
      { object: 'Widget w', schema: 'widget-v1', field: '/spec/size', rule: 'must match pattern "^(small|large)$"' },
    ]);
  });
});
