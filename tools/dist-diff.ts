/**
 * An object-level summary of what a change does to dist/, for pull-request review: objects added and removed,
 * and for changed objects the field paths that differ, with the changes that deserve a second reviewer flagged.
 */

export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly [field: string]: unknown;
}

/** An object and where it is deployed from: the environment folder (`dev`, `prod`, `gitops`). */
export interface SourcedObject {
  readonly source: string;
  readonly object: ManifestObject;
}

export interface ObjectChange {
  /** `source: Kind namespace/name`. */
  readonly object: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Changed field paths (`spec.ingress[0].ports[1].port`), for changed objects. */
  readonly fields: readonly string[];
  /** The same paths, each with whether it was added, removed or changed, for changed objects. */
  readonly fieldChanges: readonly FieldChange[];
  /** Why a second reviewer should look, if at all. */
  readonly reviewReasons: readonly string[];
}

const identity = ({ source, object: o }: SourcedObject) =>
  `${source}: ${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

/** A field path of an object that differs, and how: present only after (added), only before (removed), or both. */
export interface FieldChange {
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed';
}

/** Leaf paths whose values differ between a and b, each with how it differs. */
export function fieldChanges(a: unknown, b: unknown, path = ''): FieldChange[] {
  if (a === b) return [];
  if (a === undefined) return [{ path, change: 'added' }];
  if (b === undefined) return [{ path, change: 'removed' }];
  const isObject = (v: unknown) => v !== null && typeof v === 'object';
  if (!isObject(a) || !isObject(b) || Array.isArray(a) !== Array.isArray(b)) return [{ path: path || '(root)', change: 'changed' }];
  const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
  return keys.flatMap((key) => {
    const child = Array.isArray(a) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    return fieldChanges((a as any)[key], (b as any)[key], child);
  });
}

/** Leaf paths whose values differ between a and b. */
export function changedPaths(a: unknown, b: unknown): string[] {
  return fieldChanges(a, b).map((field) => field.path);
}

/** The kinds that tell Argo CD and Flux what to deploy, from where, and whether to prune. */
const GITOPS_KINDS = ['Application', 'GitRepository', 'Kustomization'];

/**
 * The rules for a second reviewer: renames (a removal is one), selectors, policy types, RBAC, the database spec,
 * how GitOps delivers (sync order, prune protection, source) and any Secret.
 */
function reviewReasons(change: ObjectChange['change'], kind: string, fields: readonly string[]): string[] {
  const reasons = new Set<string>();
  if (change === 'removed') reasons.add('object removed or renamed: GitOps deletes it from the cluster');
  if (kind === 'postgresql' && change !== 'added') reasons.add('the postgresql spec changes the running database');
  for (const field of fields) {
    if (/selector/i.test(field)) reasons.add(`selector changed (${field})`);
    if (/policyTypes/.test(field)) reasons.add(`NetworkPolicy isolation changed (${field})`);
    if (kind === 'NetworkPolicy' && /^spec\.(ingress|egress)/.test(field)) reasons.add(`allowed flows changed (${field})`);
    if (/^(rules|subjects|roleRef)/.test(field)) reasons.add(`RBAC changed (${field})`);
    if (/^metadata\.annotations\.(argocd\.argoproj\.io|kustomize\.toolkit\.fluxcd\.io)\//.test(field)) {
      reasons.add(`GitOps sync order or prune protection changed (${field})`);
    }
    if (GITOPS_KINDS.includes(kind) && field.startsWith('spec.')) reasons.add(`GitOps delivery changed (${field})`);
  }
  if (kind === 'Secret') reasons.add('a Secret in dist/: no secret value may ever be committed');
  if (['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].includes(kind) && change === 'added') reasons.add('new RBAC');
  return [...reasons];
}

/** What changed from `before` to `after`, sorted by object. */
export function diffManifests(before: readonly SourcedObject[], after: readonly SourcedObject[]): ObjectChange[] {
  const old = new Map(before.map((o) => [identity(o), o.object]));
  const now = new Map(after.map((o) => [identity(o), o.object]));
  const changes: ObjectChange[] = [];
  for (const id of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const a = old.get(id);
    const b = now.get(id);
    const kind = (a ?? b)!.kind;
    const change = a === undefined ? 'added' : b === undefined ? 'removed' : 'changed';
    const fieldList = change === 'changed' ? fieldChanges(a, b) : [];
    if (change === 'changed' && fieldList.length === 0) continue;
    const fields = fieldList.map((field) => field.path);
    changes.push({ object: id, change, fields, fieldChanges: fieldList, reviewReasons: reviewReasons(change, kind, fields) });
  }
  return changes;
}

/** How a changed field is listed: its path, and `(added)` or `(removed)` when it exists on one side only. */
const fieldLine = ({ path, change }: FieldChange) => `      ${path}${change === 'changed' ? '' : ` (${change})`}`;

/** The summary as text, one object per block, review-worthy changes marked with `!`. */
export function formatDiff(changes: readonly ObjectChange[]): string {
  if (changes.length === 0) return 'dist/: no object changed';
  const lines = changes.map((c) => {
    const mark = c.reviewReasons.length > 0 ? '!' : ' ';
    const sign = { added: '+', removed: '-', changed: '~' }[c.change];
    return [`${mark} ${sign} ${c.object}`, ...c.fieldChanges.map(fieldLine), ...c.reviewReasons.map((r) => `      ! ${r}`)].join('\n');
  });
  const flagged = changes.filter((c) => c.reviewReasons.length > 0).length;
  return `${lines.join('\n')}\n\n${changes.length} object(s) changed, ${flagged} deserve a second reviewer (marked !)`;
}
