/**
 * `npm run diff`: the consequences of a change, per environment and cluster, between two sides (each: its
 * configuration and the objects synthesized from it), with a verdict line per cluster, and the object-level list
 * as the detail. Pure: the script reads the sides, this computes and formats them.
 */
import { ObjectChange, formatDiff } from '../dist-diff';
import { Consequence, SOURCE_LEGEND, Verdict, verdictOf } from './consequence';
import { databaseConsequences } from './database';
import { monitoringConsequences } from './monitoring';
import { EnvironmentSide, reachabilityConsequences } from './reachability';
import { rightsConsequences } from './rights';

export type { EnvironmentSide } from './reachability';

export interface ClusterReview {
  readonly environment: string;
  readonly cluster: string;
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly verdict: Verdict;
  readonly consequences: readonly Consequence[];
}

export interface EnvironmentReview {
  readonly environment: string;
  readonly clusters: readonly ClusterReview[];
  /** The rights delta of the environment's ServiceAccounts. */
  readonly rights: readonly Consequence[];
}

export interface Review {
  /** What the two sides are, in words (`main -> working tree`). */
  readonly compared: string;
  readonly environments: readonly EnvironmentReview[];
  /** The object-level detail. */
  readonly objects: readonly ObjectChange[];
}

const partOf = (o: any, cluster: string) => o?.metadata?.labels?.['app.kubernetes.io/part-of'] === cluster;

function clusterObjects(side: EnvironmentSide | undefined, name: string) {
  const cluster = side?.environment.clusters.find((c) => c.name === name);
  const objects: any[] = cluster ? (side!.objects as any[]) : [];
  return {
    postgresql: objects.find((o) => o?.kind === 'postgresql' && o.metadata.name === name && o.metadata.namespace === cluster!.namespace),
    prometheusRule: objects.find((o) => o?.kind === 'PrometheusRule' && partOf(o, name)),
    dashboard: objects.find((o) => o?.kind === 'ConfigMap' && partOf(o, name) && Object.values<string>(o.data ?? {}).some((v) => v.trimStart().startsWith('{') && v.includes('"panels"'))),
  };
}

/** The review of one environment present on either side. */
export function reviewEnvironment(before: EnvironmentSide | undefined, after: EnvironmentSide | undefined): EnvironmentReview {
  const names = (side?: EnvironmentSide) => side?.environment.clusters.map((c) => c.name) ?? [];
  const clusters = [...new Set([...names(before), ...names(after)])].sort().map((cluster): ClusterReview => {
    const a = clusterObjects(before, cluster);
    const b = clusterObjects(after, cluster);
    const consequences = [
      ...databaseConsequences(a.postgresql, b.postgresql),
      ...reachabilityConsequences(before, after, cluster),
      ...monitoringConsequences(a, b),
    ];
    const status = !names(before).includes(cluster) ? 'added' : !names(after).includes(cluster) ? 'removed' : consequences.length > 0 ? 'changed' : 'unchanged';
    return { environment: (after ?? before)!.environment.name, cluster, status, verdict: verdictOf(consequences), consequences };
  });
  const rbacSide = (side?: EnvironmentSide) => side && { objects: side.objects, clusterNamespaces: side.environment.clusters.map((c) => c.namespace) };
  return { environment: (after ?? before)!.environment.name, clusters, rights: rightsConsequences(rbacSide(before), rbacSide(after)) };
}

/** The review of every environment of either side, by environment name. */
export function review(compared: string, before: readonly EnvironmentSide[], after: readonly EnvironmentSide[], objects: readonly ObjectChange[] = []): Review {
  const byName = (sides: readonly EnvironmentSide[]) => new Map(sides.map((s) => [s.environment.name, s]));
  const old = byName(before);
  const now = byName(after);
  const environments = [...new Set([...old.keys(), ...now.keys()])].sort().map((name) => reviewEnvironment(old.get(name), now.get(name)));
  return { compared, environments, objects };
}

const AREAS: readonly Consequence['area'][] = ['database', 'reachability', 'monitoring'];
const flagged = (cs: readonly Consequence[]) => cs.filter((c) => c.flag !== undefined).length;

/** `env / cluster: verdict (what causes it), N flagged`. */
function verdictLine(cluster: ClusterReview): string {
  const status = cluster.status === 'changed' ? '' : ` (cluster ${cluster.status})`;
  const level = Math.max(0, ...cluster.consequences.map((c) => c.level));
  const causes = level > 0 ? cluster.consequences.filter((c) => c.level === level).map((c) => c.change) : [];
  const cause = causes.length === 0 ? '' : ` (${causes.slice(0, 2).join(', ')}${causes.length > 2 ? ` and ${causes.length - 2} more` : ''})`;
  const flags = flagged(cluster.consequences);
  return `${cluster.environment} / ${cluster.cluster}: ${cluster.verdict}${status}${cause}${flags > 0 ? `, ${flags} flagged` : ''}`;
}

function rightsLine(environment: EnvironmentReview): string | undefined {
  if (environment.rights.length === 0) return undefined;
  const flags = flagged(environment.rights);
  return `${environment.environment}: rights changed${flags > 0 ? `, ${flags} flagged` : ''}`;
}

/** The review as terminal text: the verdict lines first, then each cluster's consequences, then the objects. */
export function formatReview(r: Review): string {
  const lines = [`npm run diff: ${r.compared}`, ''];
  for (const e of r.environments) {
    for (const cluster of e.clusters) lines.push(verdictLine(cluster));
    const rights = rightsLine(e);
    if (rights) lines.push(rights);
  }
  const item = (c: Consequence) => [
    `    ${c.flag ? '!' : '-'} ${c.change}`,
    ...(c.flag ? [`        ! ${c.flag}`] : []),
    `        ${c.consequence}`,
    `        source: ${c.source}`,
  ];
  for (const e of r.environments) {
    for (const cluster of e.clusters.filter((c) => c.consequences.length > 0)) {
      lines.push('', `${verdictLine(cluster)}`);
      for (const area of AREAS) {
        const cs = cluster.consequences.filter((c) => c.area === area);
        if (cs.length > 0) lines.push(`  ${area}`, ...cs.flatMap(item));
      }
    }
    if (e.rights.length > 0) lines.push('', rightsLine(e)!, ...e.rights.flatMap(item));
  }
  if (citesUpstream(r)) lines.push('', `Sources: ${SOURCE_LEGEND}`);
  lines.push('', 'Objects', formatDiff(r.objects).replace(/^(?=.)/gm, '  '));
  return lines.join('\n');
}

/** Whether a consequence cites the operator's or Patroni's source. */
const citesUpstream = (r: Review) =>
  r.environments.some((e) => e.clusters.some((c) => c.consequences.some((x) => /\b(operator|Patroni) /.test(x.source))));

const md = (text: string) => text.replace(/\|/g, '\\|').replace(/`/g, "'");

/** The review as Markdown, for a pull-request comment. */
export function formatReviewMarkdown(r: Review): string {
  const lines = [`## npm run diff: ${md(r.compared)}`, ''];
  for (const e of r.environments) {
    for (const cluster of e.clusters) lines.push(`- **${md(verdictLine(cluster))}**`);
    const rights = rightsLine(e);
    if (rights) lines.push(`- **${md(rights)}**`);
  }
  const item = (c: Consequence) => [
    `- ${c.flag ? ':warning: ' : ''}\`${c.change}\`${c.flag ? `: **${md(c.flag)}**` : ''}<br>`,
    `  ${md(c.consequence)}<br>`,
    `  <sub>source: ${md(c.source)}</sub>`,
  ];
  for (const e of r.environments) {
    for (const cluster of e.clusters.filter((c) => c.consequences.length > 0)) {
      lines.push('', `### ${md(verdictLine(cluster))}`);
      for (const area of AREAS) {
        const cs = cluster.consequences.filter((c) => c.area === area);
        if (cs.length > 0) lines.push('', `**${area}**`, '', ...cs.flatMap(item));
      }
    }
    if (e.rights.length > 0) lines.push('', `### ${md(rightsLine(e)!)}`, '', ...e.rights.flatMap(item));
  }
  if (citesUpstream(r)) lines.push('', `<sub>Sources: ${SOURCE_LEGEND}</sub>`);
  lines.push('', '<details><summary>Objects</summary>', '', '```', formatDiff(r.objects), '```', '', '</details>');
  return lines.join('\n');
}
