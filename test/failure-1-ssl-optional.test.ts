/**
 * Seed failure 1: certificate Secrets mounted into the pods made PostgreSQL demand TLS, and PgBouncer and the
 * applications, which connect without TLS, were locked out. The fix: no certificate mounts, and a pg_hba that
 * accepts TCP clients with and without TLS.
 */
import { DEV } from '../lib/config';
import { matchPgHba } from '../lib/pg-hba';
import { find, synthEnvironment } from './util';

const postgresql = find(synthEnvironment(DEV), 'postgresql', 'jewelry-shop-db');
const pgHba: string[] = postgresql.spec.patroni.pg_hba;
const APP_CONNECTION = { transport: 'host', database: 'jewelry_shop', user: 'jewelry_app', replication: false, address: '10.42.1.17' } as const;

describe('failure 1: clients connect with and without TLS (dev)', () => {
  test('applications and the pooler connect without TLS (hostnossl, password)', () => {
    expect(matchPgHba(pgHba, { ...APP_CONNECTION, ssl: false })).toEqual({ line: 'hostnossl all all all md5', method: 'md5' });
  });

  test('applications connect with TLS (hostssl, password)', () => {
    expect(matchPgHba(pgHba, { ...APP_CONNECTION, ssl: true })).toEqual({ line: 'hostssl all all all md5', method: 'md5' });
  });

  test('no rule rejects non-TLS connections', () => {
    expect(pgHba.filter((line) => line.endsWith(' reject'))).toEqual([]);
  });

  test('the cluster mounts no certificates: no spec.tls, no Secret volumes', () => {
    expect(postgresql.spec.tls).toBeUndefined();
    const volumeSources = (postgresql.spec.additionalVolumes ?? []).map((volume: any) => Object.keys(volume.volumeSource));
    expect(volumeSources.flat()).not.toContain('secret');
    expect(volumeSources.flat()).not.toContain('projected');
  });
});
