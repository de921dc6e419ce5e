/**
 * stringifyYaml writes the same bytes as cdk8s' Yaml.stringify (the `yaml` library, YAML 1.1, no folding), which
 * is what dist/ has always held: on every object the app synthesizes, and on values chosen to trip a YAML writer.
 */
import { Testing, Yaml } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { ENVIRONMENTS, GITOPS } from '../lib/config';
import { EXPORTER_QUERIES } from '../lib/constructs/exporter-queries';
import { syntheticFleet } from '../tools/synthetic-fleet';
import { buildGitOps } from '../lib/app/synthesize';
import { stringifyYaml } from '../lib/app/yaml-output';
import { synthEnvironment, UNWRITTEN_OUTDIR } from './util';

describe('every synthesized object is written exactly as Yaml.stringify writes it', () => {
  const objects = [
    ...ENVIRONMENTS.flatMap((environment) => synthEnvironment(environment)),
    ...buildGitOps(GITOPS, ENVIRONMENTS, UNWRITTEN_OUTDIR).charts.flatMap((chart) => Testing.synth(chart)),
    ...synthEnvironment(syntheticFleet({ clusters: 2 })),
  ];

  test.each(objects.map((object) => [`${object.kind} ${object.metadata?.namespace}/${object.metadata?.name}`, object] as const))('%s', (_name, object) => {
    expect(stringifyYaml(object)).toBe(Yaml.stringify(object));
  });

  test('the exporter queries file (written with stringifyYaml into its ConfigMap)', () => {
    expect(stringifyYaml(EXPORTER_QUERIES)).toBe(Yaml.stringify(EXPORTER_QUERIES));
  });

  test('several documents in one file, separated as cdk8s separates them', () => {
    expect(stringifyYaml(...objects.slice(0, 5))).toBe(Yaml.stringify(...objects.slice(0, 5)));
  });
});

/** Strings YAML 1.1 reads as something else, or that need quotes, escapes or block style. */
const TRICKY_STRINGS = [
  '', ' ', 'a', 'y', 'Y', 'n', 'N', 'yes', 'Yes', 'YES', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF',
  'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL', '~', '-', '--', '---', '...', '<<', '=',
  '0', '1', '-1', '+1', '007', '0o17', '0x1F', '0b101', '1_000', '1.5', '.5', '1e3', '1E-3', '.inf', '-.Inf', '.NaN',
  '1:20', '190:20:30', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '100Gi', '0.9', '15', '02:00', '0 2 * * *',
  'a: b', 'a:b', 'a #b', 'a#b', '#a', 'a ', ' a', 'a  b', 'key:', ':a', '?a', '? a', '- a', '-a', '[a]', '{a}', 'a,b',
  '*a', '&a', '!a', '|a', '>a', '%a', '@a', '`a', "'a'", '"a"', "it's", 'say "hi"', 'both \' and "', 'back\\slash',
  'tab\there', 'über', 'emoji 🐘', 'ctrl\u0001char', 'line\nbreak', 'trailing newline\n', 'two trailing\n\n',
  '\nleading newline', '  indented\nblock', 'a\n\nb', 'crlf\r\nline', 'pg_up{namespace="x"} == 0',
  'hostssl all all 0.0.0.0/0 md5', 'app.kubernetes.io/name', 'Role of this member: 1 replica, 0 primary',
];
const TRICKY_NUMBERS = [0, 1, -1, 1.5, -0, 1e21, 1e-7, 0.1 + 0.2, Number.MAX_SAFE_INTEGER, 2 ** 60, NaN, Infinity, -Infinity];

describe('values chosen to trip a YAML writer, in every place a value can be', () => {
  test.each(TRICKY_STRINGS.map((value) => [JSON.stringify(value), value] as const))('string %s', (_label, value) => {
    const document = {
      top: value,
      nested: { deeper: { value } },
      list: [value, { inList: value, second: value }],
      listOfLists: { inner: [{ a: [value, value] }] },
    };
    expect(stringifyYaml(document)).toBe(Yaml.stringify(document));
  });

  test('every string as an item of a list that is the document itself', () => {
    expect(stringifyYaml(TRICKY_STRINGS)).toBe(Yaml.stringify(TRICKY_STRINGS));
    expect(stringifyYaml(TRICKY_STRINGS.map((value) => ({ value })))).toBe(Yaml.stringify(TRICKY_STRINGS.map((value) => ({ value }))));
  });

  test('every string as a document of its own (handed to Yaml.stringify whole)', () => {
    expect(stringifyYaml(...TRICKY_STRINGS)).toBe(Yaml.stringify(...TRICKY_STRINGS));
  });

  test.each(TRICKY_STRINGS.map((key) => [JSON.stringify(key), key] as const))('key %s', (_label, key) => {
    const document = { [key]: 'value', nested: { [key]: [{ [key]: 1 }] } };
    expect(stringifyYaml(document)).toBe(Yaml.stringify(document));
  });

  test.each(TRICKY_NUMBERS.map((value) => [String(Object.is(value, -0) ? '-0' : value), value] as const))('number %s', (_label, value) => {
    const document = { value, list: [value, { value }] };
    expect(stringifyYaml(document)).toBe(Yaml.stringify(document));
  });

  test('booleans, null, undefined, empty maps and lists, lists in lists, documents that are not maps', () => {
    const documents = [
      { yes: true, no: false, nothing: null, missing: undefined, emptyMap: {}, emptyList: [], list: [true, null, {}, [], [1, [2]]] },
      [],
      {},
      [[1, 2], [3]],
      42,
      undefined,
      { date: new Date(0) },
    ];
    for (const document of documents) expect(stringifyYaml(document)).toBe(Yaml.stringify(document));
    expect(stringifyYaml(...documents)).toBe(Yaml.stringify(...documents));
  });

  test('the fast path writes plain maps and lists itself: Yaml.stringify is not called for them', () => {
    const spy = jest.spyOn(Yaml, 'stringify');
    try {
      stringifyYaml({ metadata: { name: 'jewelry-shop-db', labels: { 'app.kubernetes.io/name': 'x' } }, spec: { ports: [{ port: 5432 }], enabled: true } });
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  test('what is written reads back as the objects (with the yaml library, YAML 1.1)', () => {
    const document = { strings: TRICKY_STRINGS, map: Object.fromEntries(TRICKY_STRINGS.map((s, i) => [`k${i}`, s])) };
    const [parsed] = parseAllDocuments(stringifyYaml(document), { version: '1.1' });
    expect(parsed.toJS()).toEqual(document);
  });
});
