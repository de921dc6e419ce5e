/**
 * prod's TLS on a real PostgreSQL 15, configured from the synthesized `spec.tls` as the operator and Spilo configure
 * it: the operator mounts the Secret at /tls and sets SSL_CERTIFICATE_FILE, SSL_PRIVATE_KEY_FILE and, with a `caFile`,
 * SSL_CA_FILE (postgres-operator v1.15.1 pkg/cluster/k8sres.go `generateTlsMounts`); Spilo writes `ssl_cert_file`,
 * `ssl_key_file` and, only when SSL_CA_FILE is set, `ssl_ca_file` (configure_spilo.py, Spilo 4.0-p3). The Secret holds
 * what an ACME issuer writes: `tls.crt` and `tls.key`, no `ca.crt`. PostgreSQL starts and serves TLS; with a `caFile`
 * (what was synthesized before issue 13) the same Secret keeps it from starting.
 */
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PROD } from '../lib/config';
import { separateSpiloOnlySettings } from '../lib/rules/spilo-only-settings';
import { describeWithIntegrationTools, runningAsRoot, serverUserIds } from './support/integration-tools';
import { PostgresServer, PostgresServerProps, runClient } from './support/postgres-server';
import { TestNetwork } from './support/test-network';
import { find, synthEnvironment } from './util';

const ACME_SECRET_KEYS = ['tls.crt', 'tls.key'];

describeWithIntegrationTools("prod's spec.tls on PostgreSQL 15, with a Secret that has no ca.crt (ACME)", () => {
  const { spec } = find(synthEnvironment(PROD), 'postgresql', 'jewelry-shop-db');
  let secretDir: string;
  let network: TestNetwork;

  /** The files Spilo points PostgreSQL at, from `spec.tls` and the mount path /tls (here: `secretDir`). */
  const spiloTls = (tls: { certificateFile: string; privateKeyFile: string; caFile?: string }): PostgresServerProps['tls'] => ({
    certificateFile: join(secretDir, tls.certificateFile),
    privateKeyFile: join(secretDir, tls.privateKeyFile),
    caFile: tls.caFile === undefined || tls.caFile === '' ? undefined : join(secretDir, tls.caFile),
  });
  const start = (tls: PostgresServerProps['tls']) =>
    PostgresServer.start({ network, parameters: separateSpiloOnlySettings(spec.postgresql.parameters).stock, pgHba: spec.patroni.pg_hba, tls });

  beforeAll(() => {
    network = TestNetwork.create();
    // An issuer's CA signs the server certificate; the Secret gets only the leaf certificate and its key.
    secretDir = mkdtempSync('/tmp/jsdb-tls-secret-');
    const run = (argv: string[]) => {
      const result = runClient(argv);
      if (!result.ok) throw new Error(`${argv.join(' ')}: ${result.stderr}`);
    };
    const ca = mkdtempSync('/tmp/jsdb-tls-issuer-');
    run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=issuer', '-keyout', join(ca, 'ca.key'), '-out', join(ca, 'ca.crt')]);
    run(['openssl', 'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=jewelry-shop-db.jewelry-shop.svc', '-keyout', join(secretDir, 'tls.key'), '-out', join(ca, 'server.csr')]);
    run(['openssl', 'x509', '-req', '-in', join(ca, 'server.csr'), '-CA', join(ca, 'ca.crt'), '-CAkey', join(ca, 'ca.key'), '-CAcreateserial', '-days', '1', '-out', join(secretDir, 'tls.crt')]);
    rmSync(ca, { recursive: true, force: true });
    if (runningAsRoot) {
      const { uid, gid } = serverUserIds();
      for (const path of [secretDir, ...ACME_SECRET_KEYS.map((key) => join(secretDir, key))]) chownSync(path, uid, gid);
    }
  });

  afterAll(() => {
    rmSync(secretDir, { recursive: true, force: true });
    network?.destroy();
  });

  test('the synthesized spec.tls names only files the Secret has', () => {
    const named = [spec.tls.certificateFile, spec.tls.privateKeyFile, spec.tls.caFile].filter((file) => file !== undefined);
    expect(named.filter((file: string) => !ACME_SECRET_KEYS.includes(file))).toEqual([]);
  });

  test('PostgreSQL starts with it and serves TLS: a client with sslmode=require gets an encrypted session', async () => {
    const server = await start(spiloTls(spec.tls));
    try {
      server.admin("CREATE ROLE jewelry_app LOGIN PASSWORD 'app'");
      const result = server.connect({ user: 'jewelry_app', password: 'app', sslmode: 'require' }, 'SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(result).toMatchObject({ ok: true });
      expect(result.stdout.trim()).toMatch(/^t\tTLSv1\.[23]$/);
      expect(server.admin("SELECT current_setting('ssl_ca_file') = ''")).toEqual([['t']]);
    } finally {
      await server.stop();
    }
  }, 60_000);

  test('can fail: with caFile ca.crt (the output before issue 13) the same Secret keeps PostgreSQL from starting', async () => {
    await expect(start(spiloTls({ ...spec.tls, caFile: 'ca.crt' }))).rejects.toThrow(/could not load root certificate file/);
  }, 60_000);
});
