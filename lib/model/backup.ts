/**
 * Continuous WAL archiving with WAL-G, and restore (point-in-time clone): what a cluster's configuration says about
 * them, and where the archive and the object storage are (lib/constructs/backup.ts turns it into the Spilo
 * environment, lib/rules/backup.ts checks it).
 */
import * as z from 'zod';
import { parseIpv4Cidr } from './cidr';
import { expected, numberOr, text, textOr } from './shape';


/** WAL-G archiving to S3-compatible object storage. */
export const WalBackupSettingsSchema = z.strictObject({
  /** Bucket name (no `s3://`). */
  bucket: text('a bucket name as a string', 'jewelry-shop-db-backups'),
  /** Secret in the cluster's namespace with keys `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`; create it out of band. */
  credentialsSecret: text('the name of a Secret as a string', 'jewelry-shop-db-walg-credentials'),
  /** @default - not set: the AWS SDK's default region */
  region: text('a region as a string', 'eu-central-1').optional(),
  /**
   * Endpoint of an S3-compatible store, `http(s)://host[:port]` (`https://minio.example.com`, `http://10.0.0.50:9000`).
   * The egress rule opens its port (443 for https, 80 for http, unless the URL names one).
   * @default - AWS S3 (https, port 443)
   */
  endpoint: text('a URL as a string', 'https://minio.example.com').optional(),
  /**
   * Path-style bucket addressing (`https://host/bucket`), which most S3-compatible stores need; `false` asks for
   * virtual-host style (`https://bucket.host`). @default - true when `endpoint` is set, the SDK's choice otherwise
   */
  forcePathStyle: z.boolean({ error: expected('true or false', true) }).optional(),
  /**
   * Names this incarnation of the cluster in the archive path: `s3://<bucket>/spilo/<cluster>/<incarnation>/wal/<version>`.
   * Give a cluster that is deleted and created again under the same name a new one (`"2"`, a date), in the same
   * change: the new cluster starts a new timeline 1, and in the old path its base backups and its retention would
   * mix with, and in time delete, the archive of the old one (see docs/backup-restore-tls.md). Lowercase letters,
   * digits and dashes. @default - none: `s3://<bucket>/spilo/<cluster>/wal/<version>`
   */
  incarnation: text('a folder name as a string', '2').optional(),
  /** Cron schedule of base backups. @default '0 1 * * *' (daily at 01:00, an hour before the logical backup) */
  schedule: textOr('a cron schedule as a string', '0 1 * * *'),
  /** Base backups kept (with the WAL needed to restore any point since the oldest). @default 7 */
  retainBaseBackups: numberOr(7),
  /**
   * Addresses of the object storage endpoint, as IPv4 CIDRs: the egress rule to object storage covers exactly them.
   * Required when `endpoint` names a host (a NetworkPolicy cannot match host names).
   * @default - the endpoint's address when `endpoint` is an IPv4 address; without `endpoint` (AWS S3), the
   * internet without private and link-local ranges
   */
  endpointCidrs: z.array(z.string(), { error: expected('a list of IPv4 CIDRs', '["203.0.113.10/32"]') }).optional(),
});
export type WalBackupSettings = z.input<typeof WalBackupSettingsSchema>;
export type ResolvedWalBackup = z.output<typeof WalBackupSettingsSchema>;

/** Restore: a new cluster cloned from another cluster's WAL-G archive, up to a point in time. */
export const CloneSettingsSchema = z.strictObject({
  /** The source cluster's name. */
  cluster: text('a cluster name as a string', 'jewelry-shop-db'),
  /**
   * The source cluster's `metadata.uid`: `kubectl get postgresql NAME -o jsonpath='{.metadata.uid}'`. It identifies
   * which incarnation of the source is restored (the operator records it); the archive itself is found by path.
   */
  uid: text('a UUID as a string', '0b9b5e4c-7d4a-4f1e-9f50-2a3c6f0d1e2b'),
  /** Restore up to this time, RFC 3339 with an explicit offset, as the CRD requires: `2026-11-24T17:30:00+01:00`. */
  timestamp: text('a timestamp as a string', '2026-11-24T17:30:00+01:00'),
  /** The source's `walBackup.incarnation`, which names its archive path. @default - none (the source had none) */
  incarnation: text('a folder name as a string', '2').optional(),
});
export type CloneSettings = z.input<typeof CloneSettingsSchema>;

/**
 * Where a cluster's WAL-G archive lives, without the PostgreSQL version directory Spilo appends: the source writes
 * `<this>/<version>` (its scope prefix is "", its suffix "" or `/<incarnation>`), a clone reads `<this>` (`s3_wal_path`).
 */
export function walArchivePath(bucket: string, clusterName: string, incarnation?: string): string {
  return `s3://${bucket}/spilo/${clusterName}${walScopeSuffix(incarnation)}/wal`;
}

/** Spilo's `WAL_BUCKET_SCOPE_SUFFIX`, which comes after the cluster's name in the archive path. */
export const walScopeSuffix = (incarnation: string | undefined) => (incarnation === undefined ? '' : `/${incarnation}`);

/** The port of object storage over https: AWS S3's, and that of an `https://` endpoint without a port. */
export const HTTPS_PORT = 443;

/** The object storage endpoint as NetworkPolicies see it. */
export interface ObjectStorageEndpoint {
  /** `undefined`: not known (AWS S3), the default "internet" block applies. */
  readonly cidrs?: readonly string[];
  readonly port: number;
}

/** Port and addresses of the configured endpoint (see `WalBackupSettings.endpoint` and `endpointCidrs`). */
export function objectStorageEndpoint(settings: WalBackupSettings): ObjectStorageEndpoint {
  const url = settings.endpoint === undefined ? undefined : parseEndpoint(settings.endpoint);
  const port = url === undefined ? HTTPS_PORT : Number(url.port || (url.protocol === 'http:' ? 80 : HTTPS_PORT));
  const literal = url !== undefined && parseIpv4Cidr(`${url.hostname}/32`) !== undefined ? [`${url.hostname}/32`] : undefined;
  return { cidrs: settings.endpointCidrs ?? literal, port };
}

/** `endpoint` as a URL when it is an http(s) URL without a path, else undefined. */
export function parseEndpoint(endpoint: string): URL | undefined {
  try {
    const url = new URL(endpoint);
    return ['http:', 'https:'].includes(url.protocol) && url.hostname !== '' && url.pathname === '/' ? url : undefined;
  } catch {
    return undefined;
  }
}
