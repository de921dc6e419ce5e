/**
 * The synth warns, without failing, for every example value still in place, naming the field, the value and the
 * README section that says how to set it; a value of your own is not warned about.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENTS, EXAMPLE_VALUES, GITOPS, PROD as SHIPPED_PROD } from '../lib/config';
import { PLACEHOLDER_HELP, placeholderWarnings } from '../lib/rules/placeholders';

const README = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
const HELP = `set yours before the first sync (${PLACEHOLDER_HELP})`;
const PROD = { name: 'prod', kubernetesApi: { serviceCidrs: EXAMPLE_VALUES.serviceCidrs, endpointCidrs: EXAMPLE_VALUES.endpointCidrs } };
const SEED = SHIPPED_PROD.clusters[0];
const WAL = { region: 'eu-central-1', credentialsSecret: 'walg' };
const CLUSTER = { ...SEED, name: 'shop-db', tls: { issuer: { name: EXAMPLE_VALUES.tlsIssuer } }, walBackup: { ...WAL, bucket: EXAMPLE_VALUES.walBucket } };

test('every example value in place gets a warning naming the field, the value and where to read how to set it', () => {
  expect(placeholderWarnings([{ ...PROD, clusters: [CLUSTER] }], { repoUrl: EXAMPLE_VALUES.repoUrl }, EXAMPLE_VALUES)).toEqual([
    `GITOPS.repoUrl is still the example ${JSON.stringify(EXAMPLE_VALUES.repoUrl)}: ${HELP}`,
    `prod: kubernetesApi.serviceCidrs is still the example ${JSON.stringify(EXAMPLE_VALUES.serviceCidrs)}: ${HELP}`,
    `prod: kubernetesApi.endpointCidrs is still the example ${JSON.stringify(EXAMPLE_VALUES.endpointCidrs)}: ${HELP}`,
    `prod: clusters[0] (shop-db) tls.issuer.name is still the example ${JSON.stringify(EXAMPLE_VALUES.tlsIssuer)}: ${HELP}`,
    `prod: clusters[0] (shop-db) walBackup.bucket is still the example ${JSON.stringify(EXAMPLE_VALUES.walBucket)}: ${HELP}`,
  ]);
});

test('values of your own are not warned about', () => {
  const own = { name: 'prod', kubernetesApi: { serviceCidrs: ['10.96.0.2/32'], endpointCidrs: ['10.0.0.10/32'] } };
  const cluster = { ...SEED, name: 'shop-db', tls: { issuer: { name: 'company-ca' } }, walBackup: { ...WAL, bucket: 'shop-backups' } };
  const plain = { name: 'other', namespace: 'shop', teamId: 'other' };
  expect(placeholderWarnings([{ ...own, clusters: [cluster, plain] }], { repoUrl: 'https://git.company.com/db.git' }, EXAMPLE_VALUES)).toEqual([]);
});

test('the shipped configuration: one warning for each example value it uses, none for the seed\'s own k3d values', () => {
  const is = (value: unknown, example: unknown) => JSON.stringify(value) === JSON.stringify(example);
  // Each place an example value stands: the repository once, each environment's API addresses, each cluster's issuer and bucket.
  const used = [
    is(GITOPS.repoUrl, EXAMPLE_VALUES.repoUrl),
    ...ENVIRONMENTS.flatMap((e) => [
      is(e.kubernetesApi.serviceCidrs, EXAMPLE_VALUES.serviceCidrs),
      is(e.kubernetesApi.endpointCidrs, EXAMPLE_VALUES.endpointCidrs),
      ...e.clusters.flatMap((c) => [is(c.tls?.issuer.name, EXAMPLE_VALUES.tlsIssuer), is(c.walBackup?.bucket, EXAMPLE_VALUES.walBucket)]),
    ]),
  ].filter(Boolean);
  expect(placeholderWarnings(ENVIRONMENTS, GITOPS, EXAMPLE_VALUES)).toHaveLength(used.length);
});

test('the README section the warnings name exists and lists every field they name', () => {
  const heading = /"(.+)"$/.exec(PLACEHOLDER_HELP)![1];
  const start = README.indexOf(`### ${heading}\n`);
  expect(start).toBeGreaterThan(0);
  const section = README.slice(start, README.indexOf('\n## ', start));
  for (const field of ['kubernetesApi.serviceCidrs', 'kubernetesApi.endpointCidrs', 'tls.issuer', 'walBackup', 'GITOPS.repoUrl']) {
    expect({ field, listed: section.includes(`\`${field}\``) }).toEqual({ field, listed: true });
  }
});
