import { Construct } from 'constructs';
import { Certificate, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyRotationPolicy, CertificateSpecUsages } from '../imports/certmanager-cert-manager.io';
import { PostgresqlSpecTls } from '../imports/postgresql-acid.zalan.do';

/** The cert-manager issuer that signs the cluster's server certificate. */
export interface CertificateIssuer {
  readonly name: string;
  /** @default 'ClusterIssuer' */
  readonly kind?: 'ClusterIssuer' | 'Issuer';
}

/** TLS managed by this project: a cert-manager Certificate whose Secret the operator mounts via `spec.tls`. */
export interface ClusterTlsSettings {
  readonly issuer: CertificateIssuer;
}

export interface ClusterCertificateProps {
  readonly clusterName: string;
  readonly namespace: string;
  readonly issuer: CertificateIssuer;
}

/**
 * Spilo runs PostgreSQL as uid 101, gid 103: with `spiloFSGroup: 103` the operator makes the mounted key
 * readable by PostgreSQL (a key it cannot read stops the server).
 */
export const SPILO_FS_GROUP = 103;

/**
 * A cert-manager `Certificate` for the cluster's Services (primary, replicas, pooler), and the `spec.tls`
 * that makes the operator mount its Secret into the Spilo pods.
 *
 * This is the one supported way to give the cluster certificates: the seed mounted certificate Secrets by hand
 * (failure 1) and PostgreSQL started demanding TLS nobody used. Whether TLS is *required* is the pg_hba's
 * `SslPolicy`, decided separately and validated together (see PostgresCluster).
 */
/** The server certificate's lifetime: cert-manager renews it `RENEW_BEFORE_HOURS` before it expires. */
export const CERTIFICATE_DURATION_HOURS = 2160;
export const RENEW_BEFORE_HOURS = 720;

export class ClusterCertificate extends Construct {
  public readonly certificate: Certificate;
  /** The Certificate's name (cert-manager's metrics label it `name`). */
  public readonly name: string;
  /** The operator's `spec.tls`, pointing at the Certificate's Secret. */
  public readonly tlsSpec: PostgresqlSpecTls;

  constructor(scope: Construct, id: string, props: ClusterCertificateProps) {
    super(scope, id);
    const secretName = `${props.clusterName}-tls`;
    this.name = secretName;
    const services = [props.clusterName, `${props.clusterName}-repl`, `${props.clusterName}-pooler`];
    this.certificate = new Certificate(this, 'Resource', {
      metadata: { name: secretName, namespace: props.namespace },
      spec: {
        secretName,
        issuerRef: { name: props.issuer.name, kind: props.issuer.kind ?? 'ClusterIssuer', group: 'cert-manager.io' },
        dnsNames: services.flatMap((service) => [
          service,
          `${service}.${props.namespace}`,
          `${service}.${props.namespace}.svc`,
          `${service}.${props.namespace}.svc.cluster.local`,
        ]),
        usages: [CertificateSpecUsages.SERVER_AUTH, CertificateSpecUsages.DIGITAL_SIGNATURE, CertificateSpecUsages.KEY_ENCIPHERMENT],
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256, rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS },
        duration: `${CERTIFICATE_DURATION_HOURS}h`,
        renewBefore: `${RENEW_BEFORE_HOURS}h`,
      },
    });
    // The keys cert-manager writes (kubernetes.io/tls Secret); the operator mounts the Secret at /tls and points
    // Spilo's SSL_CERTIFICATE_FILE and SSL_PRIVATE_KEY_FILE at these files (pkg/cluster/k8sres.go `generateTlsMounts`).
    // No caFile: with one the operator sets SSL_CA_FILE and Spilo `ssl_ca_file` (configure_spilo.py, Spilo 4.0-p3),
    // which only serves client-certificate authentication, which no pg_hba rule here uses (lib/pg-hba.ts); and with
    // an issuer that writes no `ca.crt` (ACME) PostgreSQL does not start at all ("could not load root certificate file").
    this.tlsSpec = { secretName, certificateFile: 'tls.crt', privateKeyFile: 'tls.key' };
  }
}

/** What the TLS rules read of a cluster's props. */
export interface TlsRuleInput {
  readonly name: string;
  readonly sslPolicy: 'optional' | 'required';
  readonly tls?: PostgresqlSpecTls;
  readonly additionalVolumes?: ReadonlyArray<{ readonly name: string; readonly volumeSource: any }>;
  readonly env?: ReadonlyArray<{ readonly name: string }>;
}

/**
 * Spilo's variables that point PostgreSQL at a certificate or carry one (zalando/spilo ENVIRONMENT.rst). The operator
 * sets the file ones from `spec.tls` (pkg/cluster/k8sres.go, `generateTlsMounts`), but after `spec.env`, and its
 * `appendEnvVars` keeps the first: one set by hand silently wins over `spec.tls`, as the seed's hand-mounted
 * certificates did.
 */
const SPILO_CERTIFICATE_VARIABLES = ['SSL_CERTIFICATE_FILE', 'SSL_PRIVATE_KEY_FILE', 'SSL_CA_FILE', 'SSL_CERTIFICATE', 'SSL_PRIVATE_KEY', 'SSL_CA'];

/**
 * TLS rules, each message naming the field, the value, what is allowed and how to fix it:
 * - TLS required without a certificate would lock every client out;
 * - Secret volumes mounted by hand are how the seed broke (failure 1): certificates come only through `tls`.
 */
export function validateTls(input: TlsRuleInput): string[] {
  const errors: string[] = [];
  if (input.sslPolicy === 'required' && input.tls === undefined) {
    errors.push(
      `${input.name}: sslPolicy is "required" but no certificate is configured (tls: undefined): ` +
        'set tls: { issuer: { name: "<cert-manager issuer>" } } or sslPolicy: SslPolicy.OPTIONAL',
    );
  }
  for (const volume of input.additionalVolumes ?? []) {
    const source = volume.volumeSource ?? {};
    const mountsSecret = source.secret !== undefined || (source.projected?.sources ?? []).some((s: any) => s.secret !== undefined);
    if (mountsSecret) {
      errors.push(
        `${input.name}: additionalVolumes "${volume.name}" mounts a Secret into the Spilo pods: ` +
          'certificates mounted by hand made PostgreSQL demand TLS that clients did not use (seed failure 1); ' +
          'give the cluster certificates with tls: { issuer: ... } instead',
      );
    }
  }
  for (const entry of input.env ?? []) {
    if (SPILO_CERTIFICATE_VARIABLES.includes(entry.name)) {
      errors.push(
        `${input.name}: env "${entry.name}" configures PostgreSQL's certificate by hand (allowed: none of ${SPILO_CERTIFICATE_VARIABLES.join(', ')}): ` +
          'certificates configured by hand made PostgreSQL demand TLS that clients did not use (seed failure 1); ' +
          'remove it and give the cluster certificates with tls: { issuer: ... } instead',
      );
    }
  }
  return errors;
}
