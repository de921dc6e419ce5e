import { ApiObject, Chart } from 'cdk8s';
import { IValidation } from 'constructs';
import { duplicateOwnedObjects, operatorCreatedObjects, OwnedObject } from '../rules/fleet';
import { DatabaseClusterCharts } from './database-chart';

/** The objects a cluster's charts (both stages) synthesize, with the namespace each lands in. */
export function synthesizedObjects(cluster: DatabaseClusterCharts): OwnedObject[] {
  return [cluster.prerequisitesChart, cluster.databaseChart].flatMap((chart) =>
    chart.node
      .findAll()
      .filter((construct): construct is ApiObject => construct instanceof ApiObject && Chart.of(construct) === chart)
      .map((apiObject) => ({
        kind: apiObject.apiGroup === 'core' ? apiObject.kind : `${apiObject.apiGroup}/${apiObject.kind}`,
        namespace: apiObject.metadata.namespace ?? chart.namespace ?? 'default',
        name: apiObject.name,
        cluster: cluster.cluster.name,
        role: `${apiObject.node.path.split('/').slice(1).join('/')} (synthesized)`,
      })),
  );
}

/** Rule 2 of lib/rules/fleet.ts as an App validation, over the objects the clusters' charts synthesize. */
export class UniqueObjectNamesAcrossClusters implements IValidation {
  constructor(
    private readonly environmentName: string,
    private readonly clusters: readonly DatabaseClusterCharts[],
  ) {}

  public validate(): string[] {
    return duplicateOwnedObjects(
      this.environmentName,
      this.clusters.flatMap((cluster) => [...synthesizedObjects(cluster), ...operatorCreatedObjects(cluster.cluster.name, cluster.cluster.namespace)]),
    );
  }
}
