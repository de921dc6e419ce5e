#!/usr/bin/env node
// Regenerates imports/ with `cdk8s import`, offline.
//
// cdk8s.yaml names every CRD by its upstream URL, pinned at a release tag. The same files, unchanged, are in
// ../shared/crds under the names below; this script feeds those copies to `cdk8s import` under the import
// name cdk8s.yaml gives them, so the generated code is the same as `npx cdk8s import` would produce online.
// The Kubernetes API classes are not imported: cdk8s-plus-27 ships them (`import { k8s } from 'cdk8s-plus-27'`).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// Overridable, so that a test can check what is committed: SHARED_CRDS=<dir> node scripts/import.mjs [name ...]
const SHARED_CRDS = process.env.SHARED_CRDS ?? join('..', 'shared', 'crds');
/** The imports to regenerate, by their name in cdk8s.yaml (`postgresql`, `argocd`, ...); none named: all of them. */
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

if (!existsSync(SHARED_CRDS)) {
  console.error(`${SHARED_CRDS} not found: with a network, run \`npx cdk8s import\` to regenerate imports/ from the URLs in cdk8s.yaml.`);
  process.exit(1);
}

// `cdk8s import NAME:=FILE` appends FILE to cdk8s.yaml (and drops its comments): keep the file as written.
const config = readFileSync('cdk8s.yaml', 'utf8');
const { imports } = parse(config);
const importName = (entry) => entry.split(':=')[0];
const unknown = ONLY.filter((name) => !imports.some((entry) => importName(entry) === name));
if (unknown.length > 0) {
  console.error(`no import named ${unknown.join(', ')} in cdk8s.yaml: choose from ${imports.map(importName).join(', ')}`);
  process.exit(1);
}
if (ONLY.length === 0) rmSync('imports', { recursive: true, force: true });
for (const entry of imports.filter((e) => ONLY.length === 0 || ONLY.includes(importName(e)))) {
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
