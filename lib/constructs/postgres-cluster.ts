import { Construct } from 'constructs';
import {
  Postgresql,
  PostgresqlSpecAdditionalVolumes,
  PostgresqlSpecClone,
  PostgresqlSpecConnectionPoolerMode,
  PostgresqlSpecEnv,
  PostgresqlSpecPostgresqlVersion,
  PostgresqlSpecSidecars,
  PostgresqlSpecTls,
  PostgresqlSpecUsers,
} from '../../imports/postgresql-acid.zalan.do';
import { ContainerResources, ResolvedCluster } from '../model/cluster';
import { ClusterPodLabels } from '../model/operator';
import { validateCluster } from '../rules/cluster';
import { validateServerSettings } from '../rules/server-settings';
import { validateTls } from '../rules/tls';
import { buildPgHba } from './pg-hba';

export interface PostgresClusterProps {
  /** The cluster, with every default applied. */
  readonly cluster: ResolvedCluster;
  /** Extra containers in every Spilo pod (the operator keeps name, image, ports, env, command and resources). @default - none */
  readonly sidecars?: readonly PostgresqlSpecSidecars[];
  /**
   * The operator's `spec.tls`: the Secret with the server certificate (see ClusterCertificate).
   * @default - no certificate: Spilo generates a self-signed one, TLS is offered but unverifiable
   */
  readonly tls?: PostgresqlSpecTls;
  /** Group of the Spilo pods' volumes, so PostgreSQL can read a mounted key. @default - the operator's default */
  readonly spiloFsGroup?: number;
  /** Environment of the Spilo containers (WAL-G archiving, clone sources). @default - none */
  readonly env?: readonly PostgresqlSpecEnv[];
  /** Restore: clone another cluster's archive up to a point in time. @default - a new, empty cluster */
  readonly clone?: PostgresqlSpecClone;
  /** Extra volumes mounted into the Spilo pod's containers. @default - none */
  readonly additionalVolumes?: readonly PostgresqlSpecAdditionalVolumes[];
}

/**
 * The Zalando operator's `postgresql` resource: Spilo pods (PostgreSQL + Patroni), the PgBouncer pooler
 * and the logical backup CronJob, all created and managed by the operator.
 */
export class PostgresCluster extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** Selectors of the pods the operator runs for this cluster. */
  public readonly pods: ClusterPodLabels;
  /** The pooler's maxDBConnections (all pods together) and pods, as synthesized. */
  public readonly pooler: { readonly maxDbConnections: number; readonly numberOfInstances: number };
  /** The `postgresql` object as synthesized. */
  public readonly resource: Postgresql;

  constructor(scope: Construct, id: string, props: PostgresClusterProps) {
    super(scope, id);
    const { cluster } = props;
    this.name = cluster.name;
    this.namespace = cluster.namespace;
    this.pods = new ClusterPodLabels(cluster.name);
    const { patroni, connectionPooler: pooler, logicalBackup: backup } = cluster;
    this.pooler = { maxDbConnections: pooler.maxDbConnections, numberOfInstances: pooler.numberOfInstances };

    this.resource = new Postgresql(this, 'Resource', {
      metadata: { name: cluster.name, namespace: cluster.namespace },
      spec: {
        teamId: cluster.teamId,
        postgresql: {
          version: cluster.postgresVersion as PostgresqlSpecPostgresqlVersion,
          parameters: sortedRecord(cluster.parameters),
        },
        numberOfInstances: cluster.numberOfInstances,
        volume: { size: cluster.volumeSize, storageClass: cluster.storageClass },
        resources: toResources(cluster.resources),
        patroni: {
          ttl: patroni.ttl,
          loopWait: patroni.loopWait,
          retryTimeout: patroni.retryTimeout,
          maximumLagOnFailover: patroni.maximumLagOnFailover,
          synchronousMode: patroni.synchronousMode,
          synchronousModeStrict: patroni.synchronousMode ? patroni.synchronousModeStrict : undefined,
          synchronousNodeCount: patroni.synchronousNodeCount,
          pgHba: buildPgHba(cluster.sslPolicy),
        },
        users: cluster.users && mapRecord(cluster.users, (flags) => flags.map((flag) => flag as PostgresqlSpecUsers)),
        databases: cluster.databases && sortedRecord(cluster.databases),
        enableMasterLoadBalancer: false,
        enableReplicaLoadBalancer: false,
        enableConnectionPooler: true,
        connectionPooler: {
          numberOfInstances: pooler.numberOfInstances,
          mode: pooler.mode as PostgresqlSpecConnectionPoolerMode,
          maxDbConnections: pooler.maxDbConnections,
          resources: toResources(pooler.resources),
        },
        enableLogicalBackup: true,
        logicalBackupSchedule: backup.schedule,
        logicalBackupRetention: backup.retention,
        env: props.env && [...props.env],
        clone: props.clone,
        usersWithInPlaceSecretRotation: rotation(cluster.passwordRotation, true),
        usersWithSecretRotation: rotation(cluster.passwordRotation, false),
        sidecars: props.sidecars && [...props.sidecars],
        additionalVolumes: props.additionalVolumes && [...props.additionalVolumes],
        tls: props.tls,
        spiloFsGroup: props.spiloFsGroup,
      },
    });
    this.node.addValidation({ validate: () => validateCluster(cluster) });
    this.node.addValidation({ validate: () => validateServerSettings(cluster) });
    this.node.addValidation({
      validate: () => validateTls({ name: cluster.name, sslPolicy: cluster.sslPolicy, tls: props.tls, additionalVolumes: props.additionalVolumes, env: props.env }),
    });
  }
}

/** The users of `settings` if its in-place choice is `inPlace`. */
function rotation(settings: ResolvedCluster['passwordRotation'], inPlace: boolean): string[] | undefined {
  return settings && settings.inPlace === inPlace ? [...settings.users] : undefined;
}

function toResources(resources: ContainerResources) {
  return {
    requests: { cpu: resources.requests.cpu, memory: resources.requests.memory },
    limits: { cpu: resources.limits.cpu, memory: resources.limits.memory },
  };
}

/** A copy with keys in sorted order, so the output does not depend on how the configuration was written. */
function sortedRecord<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return mapRecord(record, (value) => value);
}

function mapRecord<T, U>(record: Readonly<Record<string, T>>, map: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.keys(record).sort().map((key) => [key, map(record[key])]));
}
