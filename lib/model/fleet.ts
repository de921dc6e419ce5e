import { DatabaseClusterConfig } from './cluster';

/** What every cluster of a fleet shares: a cluster's configuration without its identity. */
export type FleetTemplate = Omit<DatabaseClusterConfig, 'name' | 'namespace' | 'teamId'>;

/** One cluster of a fleet: a team's (or one of its services') database. */
export interface FleetMember {
  /** The operator's team; prefix of the cluster's name. */
  readonly teamId: string;
  /**
   * The service the database belongs to: the cluster is named `<teamId>-<service>`.
   * @default 'db' - the cluster is named `<teamId>-db`
   */
  readonly service?: string;
  /**
   * Namespace of the cluster. Several clusters may share one: every object and selector is named after the cluster.
   * @default - the teamId
   */
  readonly namespace?: string;
  /** Settings of this cluster that differ from the template (users, databases, size, ...). @default - the template as is */
  readonly overrides?: Partial<FleetTemplate>;
}

/**
 * The clusters of a fleet: one per member, each from the shared template with the member's name, namespace,
 * team and overrides. Each becomes its own chart (`dist/<environment>/<cluster>.k8s.yaml`) with its cluster,
 * NetworkPolicies, RBAC and exporter; `buildEnvironment` rejects members whose names or objects would collide.
 */
export function fleetClusters(template: FleetTemplate, members: readonly FleetMember[]): DatabaseClusterConfig[] {
  return members.map((member) => ({
    ...template,
    ...member.overrides,
    name: `${member.teamId}-${member.service ?? 'db'}`,
    namespace: member.namespace ?? member.teamId,
    teamId: member.teamId,
  }));
}
