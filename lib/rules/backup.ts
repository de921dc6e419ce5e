/** Backup and restore rules: the clone's source and point in time, the WAL-G endpoint and its addresses. */
import { CloneSettings, objectStorageEndpoint, parseEndpoint, walArchivePath, WalBackupSettings } from '../model/backup';

/** RFC 3339 with a mandatory offset: the `clone.timestamp` pattern of the operator's CRD (v1.15.1 and v2.0.1). */
const CLONE_TIMESTAMP = /^([0-9]+)-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\.[0-9]+)?(([+-]([01][0-9]|2[0-3]):[0-5][0-9]))$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Backup and restore rules, each message naming the field, the value, what is allowed and how to fix it. */
export function validateBackup(name: string, wal: WalBackupSettings | undefined, clone: CloneSettings | undefined): string[] {
  const errors: string[] = [];
  if (clone !== undefined) {
    if (!CLONE_TIMESTAMP.test(clone.timestamp)) {
      const fix = /(.*\d)[Zz]$/.exec(clone.timestamp);
      errors.push(
        `${name}: clone.timestamp must be RFC 3339 with an explicit UTC offset (got "${clone.timestamp}"): ` +
          (fix && CLONE_TIMESTAMP.test(`${fix[1]}+00:00`)
            ? `the CRD does not accept "Z": write "${fix[1]}+00:00"`
            : 'write it like 2026-11-24T17:30:00+01:00 or 2026-11-24T16:30:00+00:00'),
      );
    }
    if (!UUID.test(clone.uid)) {
      errors.push(`${name}: clone.uid must be the source cluster's metadata.uid, a UUID (got "${clone.uid}"): kubectl get postgresql ${clone.cluster} -o jsonpath='{.metadata.uid}'`);
    }
    if (clone.cluster === name) {
      errors.push(
        `${name}: clone.cluster must name another cluster (got "${clone.cluster}", the clone's own name): ` +
          `a clone archives to ${walArchivePath(wal?.bucket ?? '<bucket>', name, wal?.incarnation)}, the archive it restores from; ` +
          `give the restored cluster a new name, like "${name}-restore"`,
      );
    }
    if (wal === undefined) {
      errors.push(`${name}: clone needs walBackup (the bucket and credentials of the source's archive) (got walBackup: undefined): set walBackup as on the source cluster`);
    }
  }
  for (const [field, value] of [['walBackup.incarnation', wal?.incarnation], ['clone.incarnation', clone?.incarnation]] as const) {
    // Stryker disable next-line ConditionalExpression: RegExp.test(undefined) tests "undefined", a valid folder name; the guard says what is meant
    if (value !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value)) {
      errors.push(`${name}: ${field} must be lowercase letters, digits and dashes, starting and ending with a letter or digit (got "${value}"): it is a folder of the archive path; write for example "2" or "2026-12-03"`);
    }
  }
  if (wal?.endpoint !== undefined) {
    if (parseEndpoint(wal.endpoint) === undefined) {
      errors.push(`${name}: walBackup.endpoint must be an http(s) URL without a path (got "${wal.endpoint}"): write it like https://minio.example.com or http://10.0.0.50:9000`);
    } else if (objectStorageEndpoint(wal).cidrs === undefined) {
      errors.push(
        `${name}: walBackup.endpointCidrs is required when walBackup.endpoint names a host (got endpoint "${wal.endpoint}", endpointCidrs: undefined): ` +
          `a NetworkPolicy cannot match host names; set endpointCidrs to the addresses ${new URL(wal.endpoint).hostname} resolves to, like ["203.0.113.10/32"]`,
      );
    }
  }
  return errors;
}
