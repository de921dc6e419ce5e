#!/usr/bin/env node
// Regenerates imports/ with `cdk8s import`, offline.
//
// cdk8s.yaml names every CRD by its upstream URL, pinned at a release tag. The same files, unchanged, are in
// ../shared/crds under the names below; this script feeds those copies to `cdk8s import` under the import
// name cdk8s.yaml gives them, so the generated code is the same as `npx cdk8s import` would produce online.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);

// Overridable, so that a test can check what is committed: SHARED_CRDS=<dir> node scripts/import.mjs [name ...]
const SHARED_CRDS = process.env.SHARED_CRDS ?? join('..', 'shared', 'crds');
/** The imports to regenerate, by their name in cdk8s.yaml (`postgresql`, `k8s`, ...); none named: all of them. */
const ONLY = process.argv.slice(2);

/** Upstream URL (as pinned in cdk8s.yaml) -> file name of its unchanged copy in ../shared/crds. */
const LOCAL_COPY = {
  'zalando/postgres-operator/v2.0.1/manifests/postgresql.crd.yaml': 'acid.zalan.do_postgresqls.v2.0.1.yaml',
  'prometheus-operator/prometheus-operator/v0.93.0/example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml':
    'monitoring.coreos.com_podmonitors.yaml',
  'prometheus-operator/prometheus-operator/v0.93.0/example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml':
    'monitoring.coreos.com_prometheusrules.yaml',
  'cert-manager/cert-manager/v1.21.1/deploy/crds/cert-manager.io_certificates.yaml': 'cert-manager.io_certificates.yaml',
  'argoproj/argo-cd/v3.5.1/manifests/crds/application-crd.yaml': 'argoproj.io_applications.yaml',
  'fluxcd/source-controller/v1.9.1/config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml':
    'source.toolkit.fluxcd.io_gitrepositories.yaml',
  'fluxcd/kustomize-controller/v1.9.4/config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml':
    'kustomize.toolkit.fluxcd.io_kustomizations.yaml',
};
const URL_PREFIX = 'https://raw.githubusercontent.com/';

/**
 * `k8s@1.27.0` in cdk8s.yaml: the Kubernetes API classes (`KubeNetworkPolicy`, ...). `cdk8s import k8s@1.27.0`
 * downloads this schema, which ../shared/crds holds unchanged.
 */
const K8S_SCHEMA_URL = 'https://raw.githubusercontent.com/cdk8s-team/cdk8s/master/kubernetes-schemas/v1.27.0/_definitions.json';
const K8S_SCHEMA_COPY = 'k8s-v1.27.0-definitions.json';
/**
 * The API kinds the app creates, the only ones imports/k8s.ts holds: all 547 definitions would be 2.5 MB of
 * JavaScript that every synth and every test file loads (about a third of the synth's time). Add a kind here when
 * the app needs it; `npx cdk8s import` with a network generates every kind, a superset with the same classes.
 */
const K8S_KINDS = ['ConfigMap', 'NetworkPolicy', 'Role', 'RoleBinding', 'Service'];

if (!existsSync(SHARED_CRDS)) {
  console.error(`${SHARED_CRDS} not found: with a network, run \`npx cdk8s import\` to regenerate imports/ from the URLs in cdk8s.yaml.`);
  process.exit(1);
}

// `cdk8s import NAME:=FILE` appends FILE to cdk8s.yaml (and drops its comments): keep the file as written.
const config = readFileSync('cdk8s.yaml', 'utf8');
const { imports } = parse(config);
const importName = (entry) => (/^k8s@/.test(entry) ? 'k8s' : entry.split(':=')[0]);
const unknown = ONLY.filter((name) => !imports.some((entry) => importName(entry) === name));
if (unknown.length > 0) {
  console.error(`no import named ${unknown.join(', ')} in cdk8s.yaml: choose from ${imports.map(importName).join(', ')}`);
  process.exit(1);
}
if (ONLY.length === 0) rmSync('imports', { recursive: true, force: true });
for (const entry of imports.filter((e) => ONLY.length === 0 || ONLY.includes(importName(e)))) {
  if (/^k8s@/.test(entry)) {
    await importKubernetesKinds(entry);
    continue;
  }
  const [name, url] = entry.split(':=');
  const local = LOCAL_COPY[url.slice(URL_PREFIX.length)];
  if (!url.startsWith(URL_PREFIX) || !local) {
    console.error(`cdk8s.yaml import "${entry}" has no local copy listed in scripts/import.mjs: add it to LOCAL_COPY.`);
    process.exit(1);
  }
  const args = ['import', `${name}:=${join(SHARED_CRDS, local)}`, '--language', 'typescript', '--output', 'imports', '--no-check-upgrade'];
  try {
    execFileSync(join('node_modules', '.bin', 'cdk8s'), args, { stdio: 'pipe' });
  } catch (error) {
    writeFileSync('cdk8s.yaml', config);
    console.error(`cdk8s ${args.join(' ')} failed:\n${error.stderr}`);
    process.exit(1);
  }
  writeFileSync('cdk8s.yaml', config);
  console.log(`imports/: ${name} from ${local} (${url})`);
}

/**
 * Generates imports/k8s.ts with cdk8s-cli's own `import k8s` code, from the local copy of the schema it would
 * download, reduced to K8S_KINDS: every other definition loses its group-version-kind, so it is no API object of
 * its own, and the generator emits only the types the kept kinds reach. The classes of the kinds kept are the same
 * as in a full import.
 */
async function importKubernetesKinds(entry) {
  const version = entry.slice('k8s@'.length);
  if (!K8S_SCHEMA_URL.includes(`/v${version}/`)) {
    console.error(`cdk8s.yaml import "${entry}": scripts/import.mjs has the schema of ${K8S_SCHEMA_URL} only.`);
    process.exit(1);
  }
  const schema = JSON.parse(readFileSync(join(SHARED_CRDS, K8S_SCHEMA_COPY), 'utf8'));
  const kept = [];
  for (const [name, definition] of Object.entries(schema.definitions)) {
    const kinds = definition['x-kubernetes-group-version-kind'];
    if (!kinds || !definition.properties?.metadata) continue;
    if (K8S_KINDS.includes(kinds[0].kind)) kept.push(`${kinds[0].kind} (${name})`);
    else delete definition['x-kubernetes-group-version-kind'];
  }
  const missing = K8S_KINDS.filter((kind) => !kept.some((k) => k.startsWith(`${kind} `)));
  if (missing.length > 0) {
    console.error(`K8S_KINDS in scripts/import.mjs: no such kind in ${K8S_SCHEMA_COPY}: ${missing.join(', ')}`);
    process.exit(1);
  }
  // cdk8s-cli's `import k8s` fetches the schema with util.download: it gets the reduced local copy instead.
  // (by path: cdk8s-cli's package exports do not list its modules)
  const cli = join(dirname(require.resolve('cdk8s-cli/package.json')), 'lib');
  const util = require(join(cli, 'util.js'));
  const { download } = util;
  const { log } = console;
  util.download = async (url) => {
    if (url !== K8S_SCHEMA_URL) throw new Error(`scripts/import.mjs: offline, ${url} is not available`);
    return JSON.stringify(schema);
  };
  console.log = () => {}; // the import prints the module name
  try {
    const { ImportKubernetesApi } = require(join(cli, 'import', 'k8s.js'));
    await new ImportKubernetesApi({ apiVersion: version }).import({ outdir: 'imports', targetLanguage: 'typescript' });
  } finally {
    util.download = download;
    console.log = log;
  }
  console.log(`imports/: k8s (${kept.join(', ')}) from ${K8S_SCHEMA_COPY} (${K8S_SCHEMA_URL})`);
}
