import { Construct } from 'constructs';
import { Certificate, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyRotationPolicy, CertificateSpecUsages } from '../../imports/certmanager-cert-manager.io';
import { PostgresqlSpecTls } from '../../imports/postgresql-acid.zalan.do';
import { ResolvedCluster } from '../model/cluster';
import { clientServiceNames, managedObjectNames } from '../model/operator';

export interface ClusterCertificateProps {
  readonly clusterName: string;
  readonly namespace: string;
  readonly issuer: NonNullable<ResolvedCluster['tls']>['issuer'];
}

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
    const secretName = managedObjectNames(props.clusterName).tlsSecret;
    this.name = secretName;
    const services = clientServiceNames(props.clusterName);
    this.certificate = new Certificate(this, 'Resource', {
      metadata: { name: secretName, namespace: props.namespace },
      spec: {
        secretName,
        issuerRef: { name: props.issuer.name, kind: props.issuer.kind, group: 'cert-manager.io' },
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
    // which only serves client-certificate authentication, which no pg_hba rule here uses (lib/constructs/pg-hba.ts);
    // and with an issuer that writes no `ca.crt` (ACME) PostgreSQL does not start at all ("could not load root
    // certificate file").
    this.tlsSpec = { secretName, certificateFile: 'tls.crt', privateKeyFile: 'tls.key' };
  }
}
