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
import { parseIpv4Cidr } from './cidr';
import { PostgresqlSpecClone, PostgresqlSpecEnv } from '../imports/postgresql-acid.zalan.do';

/** WAL-G archiving to S3-compatible object storage. */
export interface WalBackupSettings {
  /** Bucket name (no `s3://`). */
  readonly bucket: string;
  /** Secret in the cluster's namespace with keys `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`; create it out of band. */
  readonly credentialsSecret: string;
  /** @default - not set: the AWS SDK's default region */
  readonly region?: string;
  /**
   * Endpoint of an S3-compatible store, `http(s)://host[:port]` (`https://minio.example.com`, `http://10.0.0.50:9000`).
   * The egress rule opens its port (443 for https, 80 for http, unless the URL names one).
   * @default - AWS S3 (https, port 443)
   */
  readonly endpoint?: string;
  /**
   * Path-style bucket addressing (`https://host/bucket`), which most S3-compatible stores need; `false` asks for
   * virtual-host style (`https://bucket.host`). @default - true when `endpoint` is set, the SDK's choice otherwise
   */
  readonly forcePathStyle?: boolean;
  /**
   * Names this incarnation of the cluster in the archive path: `s3://<bucket>/spilo/<cluster>/<incarnation>/wal/<version>`.
   * Give a cluster that is deleted and created again under the same name a new one (`"2"`, a date), in the same
   * change: the new cluster starts a new timeline 1, and in the old path its base backups and its retention would
   * mix with, and in time delete, the archive of the old one (see docs/backup-restore-tls.md). Lowercase letters,
   * digits and dashes. @default - none: `s3://<bucket>/spilo/<cluster>/wal/<version>`
   */
  readonly incarnation?: string;
  /** Cron schedule of base backups. @default '0 1 * * *' (daily at 01:00, an hour before the logical backup) */
  readonly schedule?: string;
  /** Base backups kept (with the WAL needed to restore any point since the oldest). @default 7 */
  readonly retainBaseBackups?: number;
  /**
   * Addresses of the object storage endpoint, as IPv4 CIDRs: the egress rule to object storage covers exactly them.
   * Required when `endpoint` names a host (a NetworkPolicy cannot match host names).
   * @default - the endpoint's address when `endpoint` is an IPv4 address; without `endpoint` (AWS S3), the
   * internet without private and link-local ranges
   */
  readonly endpointCidrs?: readonly string[];
}

/** Restore: a new cluster cloned from another cluster's WAL-G archive, up to a point in time. */
export interface CloneSettings {
  /** The source cluster's name. */
  readonly cluster: string;
  /**
   * The source cluster's `metadata.uid`: `kubectl get postgresql NAME -o jsonpath='{.metadata.uid}'`. It identifies
   * which incarnation of the source is restored (the operator records it); the archive itself is found by path.
   */
  readonly uid: string;
  /** Restore up to this time, RFC 3339 with an explicit offset, as the CRD requires: `2026-11-24T17:30:00+01:00`. */
  readonly timestamp: string;
  /** The source's `walBackup.incarnation`, which names its archive path. @default - none (the source had none) */
  readonly incarnation?: string;
}

/** `name` read from `key` of `secret`: the value never appears in the manifest. */
const secretRef = (secret: string, key: string, name = key) => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });

/**
 * Where a cluster's WAL-G archive lives, without the PostgreSQL version directory Spilo appends: the source writes
 * `<this>/<version>` (its scope prefix and suffix are set to ""), a clone reads `<this>` (`s3_wal_path`).
 */
export function walArchivePath(bucket: string, clusterName: string, incarnation?: string): string {
  return `s3://${bucket}/spilo/${clusterName}${scopeSuffix(incarnation)}/wal`;
}

/** Spilo's `WAL_BUCKET_SCOPE_SUFFIX`, which comes after the cluster's name in the archive path. */
const scopeSuffix = (incarnation: string | undefined) => (incarnation === undefined ? '' : `/${incarnation}`);

/** The object storage endpoint as NetworkPolicies see it. */
export interface ObjectStorageEndpoint {
  /** `undefined`: not known (AWS S3), the default "internet" block applies. */
  readonly cidrs?: readonly string[];
  readonly port: number;
}

/** Port and addresses of the configured endpoint (see `WalBackupSettings.endpoint` and `endpointCidrs`). */
export function objectStorageEndpoint(settings: WalBackupSettings): ObjectStorageEndpoint {
  const url = settings.endpoint === undefined ? undefined : parseEndpoint(settings.endpoint);
  const port = url === undefined ? 443 : Number(url.port || (url.protocol === 'http:' ? 80 : 443));
  const literal = url !== undefined && parseIpv4Cidr(`${url.hostname}/32`) !== undefined ? [`${url.hostname}/32`] : undefined;
  return { cidrs: settings.endpointCidrs ?? literal, port };
}

function parseEndpoint(endpoint: string): URL | undefined {
  try {
    const url = new URL(endpoint);
    return ['http:', 'https:'].includes(url.protocol) && url.hostname !== '' && url.pathname === '/' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** How WAL-G reaches the store: region, endpoint, addressing, credentials (the names the clone copies with `CLONE_`). */
function s3AccessEnv(settings: WalBackupSettings): PostgresqlSpecEnv[] {
  const env: PostgresqlSpecEnv[] = [
    secretRef(settings.credentialsSecret, 'AWS_ACCESS_KEY_ID'),
    secretRef(settings.credentialsSecret, 'AWS_SECRET_ACCESS_KEY'),
  ];
  if (settings.region !== undefined) env.push({ name: 'AWS_REGION', value: settings.region });
  if (settings.endpoint !== undefined) {
    env.push({ name: 'AWS_ENDPOINT', value: settings.endpoint });
    const pathStyle = settings.forcePathStyle ?? true;
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
export function walBackupEnv(settings: WalBackupSettings): PostgresqlSpecEnv[] {
  return [
    { name: 'USE_WALG_BACKUP', value: 'true' },
    { name: 'USE_WALG_RESTORE', value: 'true' },
    { name: 'WAL_S3_BUCKET', value: settings.bucket },
    // The archive at s3://<bucket>/spilo/<cluster>[/<incarnation>]/wal/<version> (see walArchivePath): not Spilo's
    // default `<namespace>-` prefix, not the operator's `/<uid>` suffix, which is unknown at synth time.
    { name: 'WAL_BUCKET_SCOPE_PREFIX', value: '' },
    { name: 'WAL_BUCKET_SCOPE_SUFFIX', value: scopeSuffix(settings.incarnation) },
    // wal-push refuses to replace a segment already archived with different content (it exits non-zero, PostgreSQL
    // keeps the segment and retries): a cluster created again under the same name and incarnation cannot push its new
    // timeline-1 segments over the old archive. Spilo passes it to WAL-G (configure_spilo.py `write_wale_environment`,
    // `walg_names`, Spilo 4.0-p3); the refusal shows as PostgresWalArchivingFailing.
    { name: 'WALG_PREVENT_WAL_OVERWRITE', value: 'true' },
    { name: 'BACKUP_SCHEDULE', value: settings.schedule ?? '0 1 * * *' },
    { name: 'BACKUP_NUM_TO_RETAIN', value: String(settings.retainBaseBackups ?? 7) },
    ...s3AccessEnv(settings),
  ];
}

/**
 * The environment a clone needs to read the source's archive with WAL-G: the source's store access under the
 * `CLONE_` names (operator docs: "copy existing variables ... and prepend the CLONE_ prefix"), same Secret.
 * The archive's path comes from `spec.clone.s3_wal_path` (cloneSpec).
 */
export function cloneEnv(settings: WalBackupSettings): PostgresqlSpecEnv[] {
  return [
    { name: 'CLONE_USE_WALG_RESTORE', value: 'true' },
    ...s3AccessEnv(settings).map((entry) => ({ ...entry, name: `CLONE_${entry.name}` })),
  ];
}

/** The operator's `spec.clone`: restore `clone.cluster`'s archive in `bucket` up to `clone.timestamp`. */
export function cloneSpec(clone: CloneSettings, bucket: string): PostgresqlSpecClone {
  return { cluster: clone.cluster, uid: clone.uid, timestamp: clone.timestamp, s3WalPath: walArchivePath(bucket, clone.cluster, clone.incarnation) };
}

/** RFC 3339 with a mandatory offset: the `clone.timestamp` pattern of the operator's CRD (v1.15.1 and v2.0.1). */
const CLONE_TIMESTAMP = /^([0-9]+)-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\.[0-9]+)?(([+-]([01][0-9]|2[0-3]):[0-5][0-9]))$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Backup and restore rules, each message naming the field, the value, what is allowed and how to fix it. */
export function validateBackup(name: string, wal: WalBackupSettings | undefined, clone: CloneSettings | undefined): string[] {
  const errors: string[] = [];
  if (clone !== undefined) {
    if (!CLONE_TIMESTAMP.test(clone.timestamp)) {
      const fix = /^(.*\d)[Zz]$/.exec(clone.timestamp);
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
