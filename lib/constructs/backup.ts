/**
 * Continuous WAL archiving and base backups with WAL-G, and restore (point-in-time clone), configured through the
 * Spilo pods' environment (`spec.env`) and `spec.clone`.
 *
 * Sources (zalando/postgres-operator docs/administrator.md, "WAL archiving and physical basebackups" and
 * "Restoring physical backups"; pkg/cluster/k8sres.go `generateSpiloPodEnvVars`, `generateCloneEnvironment`;
 * zalando/spilo ENVIRONMENT.rst and postgres-appliance/scripts/configure_spilo.py `write_wale_environment`,
 * bootstrap/clone_with_wale.py):
 * - Spilo's archive prefix is `s3://{WAL_S3_BUCKET}/spilo/{WAL_BUCKET_SCOPE_PREFIX}{SCOPE}{WAL_BUCKET_SCOPE_SUFFIX}/wal/{PGVERSION}`.
 *   Spilo defaults the scope prefix to `<namespace>-`; the operator's docs warn that a bucket set outside the
 *   operator's configuration needs `WAL_BUCKET_SCOPE_PREFIX=""`. The operator puts `/<uid of the postgresql>` in the
 *   suffix only when its own configuration names the bucket, and `spec.env` wins over that (it is appended first,
 *   `appendEnvVars` keeps the first): we set both to "", so the archive is `s3://<bucket>/spilo/<cluster>/wal/<version>`,
 *   a path known here, at synth time (the uid is not).
 * - For a clone without `s3_wal_path` the operator looks in `.../spilo/<cluster>/<uid>/wal` (it sets
 *   `CLONE_WAL_BUCKET_SCOPE_SUFFIX=/<uid>` after `spec.env`, so it cannot be overridden): that is not where this
 *   archive is. So a clone names the archive with `s3_wal_path: s3://<bucket>/spilo/<cluster>/wal`, from the same
 *   function that fixes the source's path; Spilo's clone script tries each PostgreSQL version under a path ending in
 *   `/spilo/.../wal`.
 * - `USE_WALG_BACKUP` / `USE_WALG_RESTORE` / `CLONE_USE_WALG_RESTORE`: WAL-G instead of WAL-E; `BACKUP_SCHEDULE`,
 *   `BACKUP_NUM_TO_RETAIN`; with `AWS_ENDPOINT` Spilo derives `WALE_S3_ENDPOINT` as `<scheme>+path://...` and forces
 *   path-style addressing unless `WALE_S3_ENDPOINT` names another convention (`+virtualhost`).
 *
 * Credentials are only ever references to a Secret: no secret value is synthesized.
 */
import { PostgresqlSpecClone, PostgresqlSpecEnv } from '../../imports/postgresql-acid.zalan.do';
import { CloneSettings, ResolvedWalBackup, walArchivePath, walScopeSuffix } from '../model/backup';

/** `name` read from `key` of `secret`: the value never appears in the manifest. */
const secretRef = (secret: string, key: string, name = key) => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });

/** How WAL-G reaches the store: region, endpoint, addressing, credentials (the names the clone copies with `CLONE_`). */
function s3AccessEnv(settings: ResolvedWalBackup): PostgresqlSpecEnv[] {
  const env: PostgresqlSpecEnv[] = [
    secretRef(settings.credentialsSecret, 'AWS_ACCESS_KEY_ID'),
    secretRef(settings.credentialsSecret, 'AWS_SECRET_ACCESS_KEY'),
  ];
  if (settings.region !== undefined) env.push({ name: 'AWS_REGION', value: settings.region });
  if (settings.endpoint !== undefined) {
    env.push({ name: 'AWS_ENDPOINT', value: settings.endpoint });
    const pathStyle = settings.forcePathStyle === true; // resolved: true unless set to false, with an endpoint
    env.push({ name: 'AWS_S3_FORCE_PATH_STYLE', value: String(pathStyle) });
    // Spilo derives WALE_S3_ENDPOINT as `<scheme>+path://` from AWS_ENDPOINT and then forces path style whatever
    // AWS_S3_FORCE_PATH_STYLE says; naming the virtual-host convention is the only way to turn it off.
    if (!pathStyle) env.push({ name: 'WALE_S3_ENDPOINT', value: settings.endpoint.replace('://', '+virtualhost://') });
  } else if (settings.forcePathStyle !== undefined) {
    env.push({ name: 'AWS_S3_FORCE_PATH_STYLE', value: String(settings.forcePathStyle) });
  }
  return env;
}

/** The Spilo environment that turns on WAL-G archiving and base backups (and WAL-G for restores). */
export function walBackupEnv(settings: ResolvedWalBackup): PostgresqlSpecEnv[] {
  return [
    { name: 'USE_WALG_BACKUP', value: 'true' },
    { name: 'USE_WALG_RESTORE', value: 'true' },
    { name: 'WAL_S3_BUCKET', value: settings.bucket },
    // The archive at s3://<bucket>/spilo/<cluster>[/<incarnation>]/wal/<version> (see walArchivePath): not Spilo's
    // default `<namespace>-` prefix, not the operator's `/<uid>` suffix, which is unknown at synth time.
    { name: 'WAL_BUCKET_SCOPE_PREFIX', value: '' },
    { name: 'WAL_BUCKET_SCOPE_SUFFIX', value: walScopeSuffix(settings.incarnation) },
    // wal-push refuses to replace a segment already archived with different content (it exits non-zero, PostgreSQL
    // keeps the segment and retries): a cluster created again under the same name and incarnation cannot push its new
    // timeline-1 segments over the old archive. Spilo passes it to WAL-G (configure_spilo.py `write_wale_environment`,
    // `walg_names`, Spilo 4.0-p3); the refusal shows as PostgresWalArchivingFailing.
    { name: 'WALG_PREVENT_WAL_OVERWRITE', value: 'true' },
    { name: 'BACKUP_SCHEDULE', value: settings.schedule },
    { name: 'BACKUP_NUM_TO_RETAIN', value: String(settings.retainBaseBackups) },
    ...s3AccessEnv(settings),
  ];
}

/**
 * The environment a clone needs to read the source's archive with WAL-G: the source's store access under the
 * `CLONE_` names (operator docs: "copy existing variables ... and prepend the CLONE_ prefix"), same Secret.
 * The archive's path comes from `spec.clone.s3_wal_path` (cloneSpec).
 */
export function cloneEnv(settings: ResolvedWalBackup): PostgresqlSpecEnv[] {
  return [
    { name: 'CLONE_USE_WALG_RESTORE', value: 'true' },
    ...s3AccessEnv(settings).map((entry) => ({ ...entry, name: `CLONE_${entry.name}` })),
  ];
}

/** The operator's `spec.clone`: restore `clone.cluster`'s archive in `bucket` up to `clone.timestamp`. */
export function cloneSpec(clone: CloneSettings, bucket: string): PostgresqlSpecClone {
  return { cluster: clone.cluster, uid: clone.uid, timestamp: clone.timestamp, s3WalPath: walArchivePath(bucket, clone.cluster, clone.incarnation) };
}
