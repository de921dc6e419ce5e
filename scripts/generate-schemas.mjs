#!/usr/bin/env node
// Generates schemas/*.json: the JSON Schemas that test/schema-validation.test.ts (via tools/schema-validation.ts)
// checks every synthesized object against, with unknown fields treated as errors, as `kubectl apply
// --validate=strict` does. Sources, unchanged upstream files (see ../shared/README.md):
//   - the Kubernetes 1.27 definitions cdk8s uses (only what the kinds below reach is kept)
//   - each CRD's openAPIV3Schema per served version; the `postgresql` CRD of two operator releases.
// Like imports/, the output is committed: ../shared does not exist on a user's machine.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// Overridable, so that a test can check what is committed: SHARED_CRDS=<dir> node scripts/generate-schemas.mjs [OUT]
const SHARED_CRDS = process.env.SHARED_CRDS ?? join('..', 'shared', 'crds');
const OUT = process.argv[2] ?? 'schemas';

/** Built-in kinds whose schemas are kept: the kinds this project synthesizes, or plausibly will. */
const KUBERNETES_KINDS = ['ConfigMap', 'Service', 'NetworkPolicy', 'Role', 'RoleBinding', 'Secret', 'Namespace', 'ServiceAccount'];

/** CRD files -> the release label used in schema keys (the `postgresql` CRD is kept for two releases). */
const CRDS = {
  'acid.zalan.do_postgresqls.v2.0.1.yaml': 'zalando-postgres-operator-v2.0.1',
  'acid.zalan.do_postgresqls.v1.15.1.yaml': 'zalando-postgres-operator-v1.15.1',
  'monitoring.coreos.com_podmonitors.yaml': 'prometheus-operator-v0.93.0',
  'monitoring.coreos.com_prometheusrules.yaml': 'prometheus-operator-v0.93.0',
  'cert-manager.io_certificates.yaml': 'cert-manager-v1.21.1',
  'argoproj.io_applications.yaml': 'argo-cd-v3.5.1',
  'source.toolkit.fluxcd.io_gitrepositories.yaml': 'source-controller-v1.9.1',
  'kustomize.toolkit.fluxcd.io_kustomizations.yaml': 'kustomize-controller-v1.9.4',
};

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

if (!existsSync(SHARED_CRDS)) {
  console.error(`${SHARED_CRDS} not found: the schemas are generated from the reference CRDs in ../shared/crds (or set SHARED_CRDS).`);
  process.exit(1);
}

/**
 * Returns a copy without documentation, made strict: an object schema with `properties` and neither
 * `additionalProperties` nor `x-kubernetes-preserve-unknown-fields` rejects unknown fields. Kubernetes'
 * int-or-string marker becomes a plain integer-or-string schema.
 */
function strict(schema) {
  if (Array.isArray(schema)) return schema.map(strict);
  if (schema === null || typeof schema !== 'object') return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description' || key === 'example') continue;
    if (key === 'properties' || key === 'patternProperties' || key === 'definitions') {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, strict(sub)]));
    } else {
      out[key] = strict(value);
    }
  }
  if (typeof out.pattern === 'string' && out.pattern.includes('(?i)')) out.pattern = caseInsensitive(out.pattern);
  if (out['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * Go's regexp takes the inline flag `(?i)`, JavaScript's does not: drop it and match each letter in either case
 * (enough for the plain alternations the CRDs use, such as Prometheus' `^(?i)(abort|warn)?$`).
 */
function caseInsensitive(pattern) {
  let out = '';
  let inClass = false;
  const source = pattern.replace('(?i)', '');
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') { out += c + source[++i]; continue; }
    if (c === '[') inClass = true;
    if (c === ']') inClass = false;
    out += !inClass && /[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
  }
  return out;
}

// Kubernetes built-in kinds: the definitions reachable from the kept kinds, plus ObjectMeta for the CRDs.
const definitions = JSON.parse(readFileSync(join(SHARED_CRDS, 'k8s-v1.27.0-definitions.json'), 'utf8')).definitions;
const kinds = {};
for (const [name, definition] of Object.entries(definitions)) {
  for (const gvk of definition['x-kubernetes-group-version-kind'] ?? []) {
    if (KUBERNETES_KINDS.includes(gvk.kind) && !name.includes('.pkg.apis.meta.')) {
      kinds[`${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`] = name;
    }
  }
}
const reachable = new Set();
const visit = (name) => {
  if (reachable.has(name)) return;
  reachable.add(name);
  JSON.stringify(definitions[name]).replace(/"#\/definitions\/([^"]+)"/g, (_m, ref) => visit(ref));
};
[...Object.values(kinds), OBJECT_META].forEach(visit);
const kubernetes = {
  source: 'cdk8s-team/cdk8s kubernetes-schemas/v1.27.0/_definitions.json',
  kinds: Object.fromEntries(Object.entries(kinds).sort()),
  definitions: strict(Object.fromEntries([...reachable].sort().map((name) => [name, definitions[name]]))),
};

// Custom resources: apiVersion/kind -> release -> schema, with metadata checked as a real ObjectMeta.
const customResources = {};
for (const [file, release] of Object.entries(CRDS)) {
  const crd = parse(readFileSync(join(SHARED_CRDS, file), 'utf8'));
  for (const version of crd.spec.versions.filter((v) => v.served)) {
    const schema = strict(version.schema.openAPIV3Schema);
    schema.properties.metadata = { $ref: `kubernetes-1.27.json#/definitions/${OBJECT_META}` };
    schema.required = [...new Set([...(schema.required ?? []), 'apiVersion', 'kind', 'metadata'])].sort();
    const key = `${crd.spec.group}/${version.name}/${crd.spec.names.kind}`;
    customResources[key] = { ...customResources[key], [release]: schema };
  }
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT);
writeFileSync(join(OUT, 'kubernetes-1.27.json'), `${JSON.stringify(kubernetes)}\n`);
writeFileSync(
  join(OUT, 'custom-resources.json'),
  `${JSON.stringify({ sources: Object.fromEntries(Object.entries(CRDS).map(([f, r]) => [f, r])), kinds: customResources })}\n`,
);
console.log(`${OUT}/: ${Object.keys(kinds).length} built-in kinds (${reachable.size} definitions), ${Object.keys(customResources).length} custom kinds`);
