/**
 * Rules for the data volume that the Kubernetes API and the operator would only refuse later, after the merge: a
 * volume of size 0, and a volume smaller than the one already deployed (a PersistentVolumeClaim can grow, never
 * shrink: the operator's resize fails and the cluster stays on the old size).
 */
import { DEFAULT_VOLUME_SIZE } from '../model/cluster';
import { quantityBytes } from '../model/quantity';
import { q } from './text';

/** A volume needs a size above 0 (the CRD's pattern accepts `0Gi`; no StorageClass provisions it). */
export function validateVolumeSize(clusterName: string, volumeSize: string): string[] {
  return quantityBytes(volumeSize) === 0
    ? [`${clusterName}: volumeSize must be more than 0 (got ${q(volumeSize)}): a PersistentVolumeClaim of size 0 is never provisioned; write for example ${q(DEFAULT_VOLUME_SIZE)}`]
    : [];
}

/** The data volume of a cluster as the previous synth wrote it to dist/. */
export interface DeployedVolume {
  readonly size: string;
  /** The file it was read from (`dist/prod/database/jewelry-shop-db.k8s.yaml`). */
  readonly file: string;
}

/** `volumeSize` must not be smaller than the size in the dist/ it replaces: PVCs cannot shrink. */
export function validateVolumeResize(clusterName: string, volumeSize: string, deployed: DeployedVolume | undefined): string[] {
  const now = quantityBytes(volumeSize);
  const before = deployed && quantityBytes(deployed.size);
  if (now === undefined || before === undefined || now >= before) return [];
  return [
    `${clusterName}: volumeSize ${q(volumeSize)} is smaller than the ${q(deployed!.size)} in ${deployed!.file}: a PersistentVolumeClaim can grow but never ` +
      `shrink, so the operator could not apply it; keep volumeSize: ${q(deployed!.size)} or more (a smaller volume needs a new cluster restored from a backup, README "Restore to a point in time")`,
  ];
}
