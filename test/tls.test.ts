import { Chart } from 'cdk8s';
import { SEED_DEV as DEV, SEED_PROD as PROD } from './fixtures/seed';
import { SslPolicy } from '../lib/model/cluster';
import { matchPgHba } from '../tools/pg-hba-match';
import { PostgresCluster } from '../lib/constructs/postgres-cluster';
import { resolveCluster } from '../lib/model/configuration';
import { validateTls } from '../lib/rules/tls';
import { find, findAll, synthEnvironment, testApp } from './util';

describe('TLS-required mode (prod)', () => {
  const objects = synthEnvironment(PROD);
  const postgresql = find(objects, 'postgresql', 'jewelry-shop-db');

  test('a cert-manager Certificate from the configured issuer covers the primary, replica and pooler Services', () => {
    const certificate = find(objects, 'Certificate', 'jewelry-shop-db-tls');
    expect(certificate.spec.issuerRef).toEqual({ name: 'internal-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    expect(certificate.spec.dnsNames).toEqual(
      expect.arrayContaining(['jewelry-shop-db.jewelry-shop.svc', 'jewelry-shop-db-repl.jewelry-shop.svc', 'jewelry-shop-db-pooler.jewelry-shop.svc']),
    );
  });

  test("spec.tls points at the Certificate's Secret, and spiloFSGroup lets PostgreSQL read the key", () => {
    const certificate = find(objects, 'Certificate', 'jewelry-shop-db-tls');
    expect(postgresql.spec.tls).toEqual({ secretName: certificate.spec.secretName, certificateFile: 'tls.crt', privateKeyFile: 'tls.key' });
    expect(postgresql.spec.spiloFSGroup).toBe(103);
  });

  test('pg_hba rejects non-TLS TCP clients and replicas, and accepts them over TLS', () => {
    const pgHba: string[] = postgresql.spec.patroni.pg_hba;
    const app = { transport: 'host', database: 'jewelry_shop', user: 'jewelry_app', replication: false, address: '10.42.0.7' } as const;
    const replica = { ...app, user: 'standby', replication: true } as const;
    expect(matchPgHba(pgHba, { ...app, ssl: false })?.method).toBe('reject');
    expect(matchPgHba(pgHba, { ...replica, ssl: false })?.method).toBe('reject');
    expect(matchPgHba(pgHba, { ...app, ssl: true })?.method).toBe('md5');
    expect(matchPgHba(pgHba, { ...replica, ssl: true })?.method).toBe('md5');
  });

  test('no caFile whatever the issuer: ssl_ca_file serves only client certificates, which no pg_hba rule asks for', () => {
    for (const issuer of [{ name: 'internal-ca' }, { name: 'letsencrypt', kind: 'Issuer' as const }]) {
      const cluster = { ...PROD.clusters[0], tls: { issuer } };
      const spec = find(synthEnvironment({ ...PROD, clusters: [cluster] }), 'postgresql', 'jewelry-shop-db').spec;
      expect(spec.tls.caFile).toBeUndefined();
      // pg_hba's `cert` method and `clientcert` option are what would read ssl_ca_file.
      expect((spec.patroni.pg_hba as string[]).filter((line) => /\scert(\s|$)|clientcert=/.test(line))).toEqual([]);
    }
  });

  test('the certificate is a prerequisite: applied before the database', () => {
    const certificate = find(objects, 'Certificate', 'jewelry-shop-db-tls');
    expect(Number(certificate.metadata.annotations!['argocd.argoproj.io/sync-wave'])).toBeLessThan(
      Number(postgresql.metadata.annotations!['argocd.argoproj.io/sync-wave']),
    );
  });
});

describe('dev keeps the seed fix: TLS optional, no certificate', () => {
  test('no Certificate, no spec.tls', () => {
    const objects = synthEnvironment(DEV);
    expect(findAll(objects, 'Certificate')).toEqual([]);
    expect(find(objects, 'postgresql', 'jewelry-shop-db').spec.tls).toBeUndefined();
  });
});

describe('TLS validation', () => {
  test.each([
    [
      'TLS required without a certificate',
      { name: 'db', sslPolicy: 'required' as const },
      'db: sslPolicy is "required" but no certificate is configured (tls: undefined): set tls: { issuer: { name: "<cert-manager issuer>" } } or sslPolicy: SslPolicy.OPTIONAL',
    ],
    [
      'a certificate Secret mounted by hand',
      { name: 'db', sslPolicy: 'optional' as const, additionalVolumes: [{ name: 'certs', volumeSource: { secret: { secretName: 'db-certs' } } }] },
      'db: additionalVolumes "certs" mounts a Secret into the Spilo pods: certificates mounted by hand made PostgreSQL demand TLS that clients did not use (seed failure 1); give the cluster certificates with tls: { issuer: ... } instead',
    ],
    [
      'a Secret in a projected volume',
      { name: 'db', sslPolicy: 'optional' as const, additionalVolumes: [{ name: 'p', volumeSource: { projected: { sources: [{ secret: { name: 's' } }] } } }] },
      'db: additionalVolumes "p" mounts a Secret into the Spilo pods: certificates mounted by hand made PostgreSQL demand TLS that clients did not use (seed failure 1); give the cluster certificates with tls: { issuer: ... } instead',
    ],
    [
      'a certificate file set by hand in env',
      { name: 'db', sslPolicy: 'optional' as const, env: [{ name: 'SSL_CERTIFICATE_FILE' }] },
      'db: env "SSL_CERTIFICATE_FILE" configures PostgreSQL\'s certificate by hand (allowed: none of SSL_CERTIFICATE_FILE, SSL_PRIVATE_KEY_FILE, SSL_CA_FILE, SSL_CERTIFICATE, SSL_PRIVATE_KEY, SSL_CA): certificates configured by hand made PostgreSQL demand TLS that clients did not use (seed failure 1); remove it and give the cluster certificates with tls: { issuer: ... } instead',
    ],
  ])('%s', (_case, input, message) => {
    expect(validateTls(input)).toEqual([message]);
  });

  test('TLS required with a certificate, and ConfigMap volumes, are fine', () => {
    expect(validateTls({ name: 'db', sslPolicy: 'required', tls: { secretName: 'db-tls' }, additionalVolumes: [{ name: 'q', volumeSource: { configMap: { name: 'q' } } }] })).toEqual([]);
  });

  test('every broken rule is reported at once', () => {
    const errors = validateTls({
      name: 'db',
      sslPolicy: 'required',
      additionalVolumes: [{ name: 'certs', volumeSource: { secret: { secretName: 'db-certs' } } }],
      env: [{ name: 'SSL_PRIVATE_KEY_FILE' }, { name: 'WAL_S3_BUCKET' }],
    });
    expect(errors.map((e) => e.slice(0, e.indexOf(':', 4)))).toEqual(['db: sslPolicy is "required" but no certificate is configured (tls', 'db: additionalVolumes "certs" mounts a Secret into the Spilo pods', 'db: env "SSL_PRIVATE_KEY_FILE" configures PostgreSQL\'s certificate by hand (allowed']);
  });

  test('synthesis fails with the message when a cluster requires TLS without a certificate', () => {
    const chart = new Chart(testApp(), 'test');
    new PostgresCluster(chart, 'Cluster', { cluster: resolveCluster({ name: 'team-db', namespace: 'team', teamId: 'team', sslPolicy: SslPolicy.REQUIRED }) });
    expect(() => chart.toJson()).toThrow('team-db: sslPolicy is "required" but no certificate is configured (tls: undefined)');
  });
});
