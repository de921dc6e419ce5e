import { EnvironmentConfig, KubernetesApiAddresses } from '../lib/model/environment';
import { FleetMember, fleetClusters, FleetTemplate } from '../lib/model/fleet';

export interface SyntheticFleetProps {
  /** Number of clusters. */
  readonly clusters: number;
  /**
   * Clusters per namespace: `team-0001` gets clusters `team-0001-orders`, `team-0001-payments`, ... up to this count.
   * @default 2 - every namespace holds two clusters, so both same-namespace and cross-namespace neighbours exist
   */
  readonly clustersPerNamespace?: number;
  /** @default 'fleet' */
  readonly environmentName?: string;
  /** @default - the dev environment's k3d addresses (10.43.0.1/32 and 172.16.0.0/12) */
  readonly kubernetesApi?: KubernetesApiAddresses;
}

/** Service names of the synthetic fleet's clusters, in the order they fill a namespace. */
const SYNTHETIC_SERVICES = ['orders', 'payments', 'catalog', 'customers', 'inventory', 'shipping', 'reviews', 'search'];

/**
 * A generated fleet of `clusters` database clusters, for the benchmark and the fleet tests: team `team-<n>` owns a
 * namespace of the same name holding `clustersPerNamespace` clusters, each with its own application user and database.
 */
export function syntheticFleet(props: SyntheticFleetProps): EnvironmentConfig {
  const perNamespace = props.clustersPerNamespace ?? 2;
  if (!Number.isInteger(props.clusters) || props.clusters < 1) {
    throw new Error(`syntheticFleet: clusters must be a positive integer (got ${props.clusters})`);
  }
  if (!Number.isInteger(perNamespace) || perNamespace < 1 || perNamespace > SYNTHETIC_SERVICES.length) {
    throw new Error(
      `syntheticFleet: clustersPerNamespace must be an integer from 1 to ${SYNTHETIC_SERVICES.length} (got ${perNamespace})`,
    );
  }
  const width = String(Math.ceil(props.clusters / perNamespace)).length;
  const members: FleetMember[] = [];
  for (let index = 0; index < props.clusters; index++) {
    const teamId = `team-${String(Math.floor(index / perNamespace) + 1).padStart(width, '0')}`;
    const service = SYNTHETIC_SERVICES[index % perNamespace];
    const user = `${service}_app`;
    members.push({ teamId, service, overrides: { users: { [user]: [] }, databases: { [service]: user } } });
  }
  return {
    name: props.environmentName ?? 'fleet',
    kubernetesApi: props.kubernetesApi ?? { serviceCidrs: ['10.43.0.1/32'], endpointCidrs: ['172.16.0.0/12'] },
    clusters: fleetClusters(SYNTHETIC_TEMPLATE, members),
  };
}

/** The synthetic fleet's template: the seed's settings, smaller volumes. */
const SYNTHETIC_TEMPLATE: FleetTemplate = {
  postgresVersion: '15',
  numberOfInstances: 3,
  volumeSize: '10Gi',
  connectionPooler: { numberOfInstances: 2, mode: 'transaction' },
  logicalBackup: { schedule: '0 2 * * *' },
};
