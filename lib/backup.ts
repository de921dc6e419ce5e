/**
 * Continuous WAL archiving and base backups with WAL-G, and restore (point-in-time clone), configured through the
 * Spilo pods' environment (`spec.env`) and `spec.clone`.
 *
 * Sources: zalando/postgres-operator docs/administrator.md ("WAL archiving and physical basebackups", "Restoring
 * physical backups", and the note that a bucket set in the manifest's env needs `WAL_BUCKET_SCOPE_PREFIX` set
 * to "" so the path matches what the operator expects for clones), Spilo's ENVIRONMENT.rst (USE_WALG_BACKUP,
 * USE_WALG_RESTORE, BACKUP_SCHEDULE, BACKUP_NUM_TO_RETAIN, AWS_ENDPOINT, AWS_S3_FORCE_PATH_STYLE, CLONE_*).
 * Credentials are only ever references to a Secret: no secret value is synthesized.
 */
import { PostgresqlSpecClone, PostgresqlSpecEnv } from '../imports/postgresql-acid.zalan.do';

/** WAL-G archiving to S3-compatible object storage. */
export interface WalBackupSettings {
  /** Bucket name (no `s3://`). */
  readonly bucket: string;
  /** Secret in the cluster's namespace with keys `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`; create it out of band. */
  readonly credentialsSecret: string;
  /** @default - not set: the AWS SDK's default region */
  readonly region?: string;
  /** Endpoint of an S3-compatible store (`https://minio.example.com`). @default - AWS S3 */
  readonly endpoint?: string;
  /** Path-style bucket addressing, which most S3-compatible stores need. @default - true when `endpoint` is set */
  readonly forcePathStyle?: boolean;
  /** Cron schedule of base backups. @default '0 1 * * *' (daily at 01:00, an hour before the logical backup) */
  readonly schedule?: string;
  /** Base backups kept (with the WAL needed to restore any point since the oldest). @default 7 */
  readonly retainBaseBackups?: number;
  /**
   * Addresses of the object storage endpoint, to narrow the egress rule to it.
   * @default - the internet without private and link-local ranges
   */
  readonly endpointCidrs?: readonly string[];
}

/** Restore: a new cluster cloned from another cluster's WAL-G archive, up to a point in time. */
export interface CloneSettings {
  /** The source cluster's name. */
  readonly cluster: string;
  /** The source cluster's `metadata.uid` (the archive path contains it): `kubectl get postgresql NAME -o jsonpath='{.metadata.uid}'`. */
  readonly uid: string;
  /** Restore up to this time, RFC 3339 with an explicit offset, as the CRD requires: `2026-11-24T17:30:00+01:00`. */
  readonly timestamp: string;
}

/** `name` read from `key` of `secret`: the value never appears in the manifest. */
const secretRef = (secret: string, key: string, name = key) => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });

/** The Spilo environment that turns on WAL-G archiving and base backups (and WAL-G for restores). */
export function walBackupEnv(settings: WalBackupSettings): PostgresqlSpecEnv[] {
  const env: PostgresqlSpecEnv[] = [
    { name: 'USE_WALG_BACKUP', value: 'true' },
    { name: 'USE_WALG_RESTORE', value: 'true' },
    { name: 'WAL_S3_BUCKET', value: settings.bucket },
    // The bucket is set here, not in the operator's configuration: without an empty scope prefix the archive
    // path would not be the one the operator derives for clones.
    { name: 'WAL_BUCKET_SCOPE_PREFIX', value: '' },
    { name: 'WAL_BUCKET_SCOPE_SUFFIX', value: '' },
    { name: 'BACKUP_SCHEDULE', value: settings.schedule ?? '0 1 * * *' },
    { name: 'BACKUP_NUM_TO_RETAIN', value: String(settings.retainBaseBackups ?? 7) },
    secretRef(settings.credentialsSecret, 'AWS_ACCESS_KEY_ID'),
    secretRef(settings.credentialsSecret, 'AWS_SECRET_ACCESS_KEY'),
  ];
  if (settings.region !== undefined) env.push({ name: 'AWS_REGION', value: settings.region });
  if (settings.endpoint !== undefined) {
    env.push({ name: 'AWS_ENDPOINT', value: settings.endpoint });
    env.push({ name: 'AWS_S3_FORCE_PATH_STYLE', value: String(settings.forcePathStyle ?? true) });
  } else if (settings.forcePathStyle !== undefined) {
    env.push({ name: 'AWS_S3_FORCE_PATH_STYLE', value: String(settings.forcePathStyle) });
  }
  return env;
}

/** The environment a clone needs to read the source's WAL-G archive (same bucket and credentials). */
export function cloneEnv(settings: WalBackupSettings): PostgresqlSpecEnv[] {
  const env: PostgresqlSpecEnv[] = [
    { name: 'CLONE_USE_WALG_RESTORE', value: 'true' },
    { name: 'CLONE_WAL_S3_BUCKET', value: settings.bucket },
    { name: 'CLONE_WAL_BUCKET_SCOPE_PREFIX', value: '' },
    // The same Secret as the source's archiving: its AWS_* keys, under the CLONE_* names.
    secretRef(settings.credentialsSecret, 'AWS_ACCESS_KEY_ID', 'CLONE_AWS_ACCESS_KEY_ID'),
    secretRef(settings.credentialsSecret, 'AWS_SECRET_ACCESS_KEY', 'CLONE_AWS_SECRET_ACCESS_KEY'),
  ];
  if (settings.region !== undefined) env.push({ name: 'CLONE_AWS_REGION', value: settings.region });
  if (settings.endpoint !== undefined) {
    env.push({ name: 'CLONE_AWS_ENDPOINT', value: settings.endpoint });
    env.push({ name: 'CLONE_AWS_S3_FORCE_PATH_STYLE', value: String(settings.forcePathStyle ?? true) });
  }
  return env;
}

/** The operator's `spec.clone`. */
export function cloneSpec(clone: CloneSettings): PostgresqlSpecClone {
  return { cluster: clone.cluster, uid: clone.uid, timestamp: clone.timestamp };
}

/** RFC 3339 with a mandatory offset: the `clone.timestamp` pattern of the operator's CRD (v1.15.1 and v2.0.1). */
const CLONE_TIMESTAMP = /^([0-9]+)-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\.[0-9]+)?(([+-]([01][0-9]|2[0-3]):[0-5][0-9]))$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Backup and restore rules, each message naming the field, the value, what is allowed and how to fix it. */
export function validateBackup(name: string, wal: WalBackupSettings | undefined, clone: CloneSettings | undefined): string[] {
  const errors: string[] = [];
  if (clone !== undefined) {
    if (!CLONE_TIMESTAMP.test(clone.timestamp)) {
      errors.push(
        `${name}: clone.timestamp must be RFC 3339 with an explicit UTC offset (got "${clone.timestamp}"): ` +
          'write it like 2026-11-24T17:30:00+01:00 or 2026-11-24T16:30:00+00:00',
      );
    }
    if (!UUID.test(clone.uid)) {
      errors.push(`${name}: clone.uid must be the source cluster's metadata.uid, a UUID (got "${clone.uid}"): kubectl get postgresql ${clone.cluster} -o jsonpath='{.metadata.uid}'`);
    }
    if (wal === undefined) {
      errors.push(`${name}: clone needs walBackup (the bucket and credentials of the source's archive) (got walBackup: undefined): set walBackup as on the source cluster`);
    }
  }
  if (wal !== undefined && wal.endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(wal.endpoint)) {
    errors.push(`${name}: walBackup.endpoint must be an http(s) URL (got "${wal.endpoint}"): write it like https://minio.example.com`);
  }
  return errors;
}
