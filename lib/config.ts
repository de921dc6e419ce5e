/**
 * The environments a platform engineer edits. Every field is documented where its type is defined, in lib/model/
 * (`DatabaseClusterConfig`, `EnvironmentConfig`, `GitOpsConfig`), with the default that applies when it is left out.
 */
import { DatabaseClusterConfig, SslPolicy } from './model/cluster';
import { EnvironmentConfig } from './model/environment';
import { ExampleValues } from './model/examples';
import { GitOpsConfig, REPO_URL_EXAMPLE } from './model/gitops';

export type { EnvironmentConfig };

/**
 * Example values, to replace with yours before the first sync (README, "Configure prod"): the synth warns while
 * any is still in place.
 */
export const EXAMPLE_VALUES: ExampleValues = {
  repoUrl: REPO_URL_EXAMPLE,
  serviceCidrs: ['10.96.0.1/32'],
  endpointCidrs: ['10.0.0.10/32', '10.0.0.11/32', '10.0.0.12/32'],
  tlsIssuer: 'internal-ca',
  walBucket: 'jewelry-shop-db-backups',
};

/** The seed's cluster, as it ran on k3d. */
const JEWELRY_SHOP_DB: DatabaseClusterConfig = {
  name: 'jewelry-shop-db',
  namespace: 'jewelry-shop',
  teamId: 'jewelry-shop',
  postgresVersion: '15',
  numberOfInstances: 3,
  volumeSize: '100Gi',
  users: { jewelry_app: [] },
  databases: { jewelry_shop: 'jewelry_app' },
  connectionPooler: { numberOfInstances: 2, mode: 'transaction' },
  logicalBackup: { schedule: '0 2 * * *' },
};

/** dev: the team's k3d cluster. */
export const DEV: EnvironmentConfig = {
  name: 'dev',
  kubernetesApi: {
    // k3s' default service CIDR is 10.43.0.0/16; the `kubernetes` Service takes its first address.
    serviceCidrs: ['10.43.0.1/32'],
    // k3d runs the k3s servers as Docker containers on a Docker bridge network inside 172.16.0.0/12. Narrow it to
    // the API servers' addresses (`kubectl get endpoints kubernetes -n default`, each as /32); with Cilium see
    // docs/network.md, "Narrowing the defaults" (policyCIDRMatchMode: nodes).
    endpointCidrs: ['172.16.0.0/12'],
  },
  clusters: [{ ...JEWELRY_SHOP_DB, storageClass: 'local-path' }],
};

/**
 * prod: the same cluster prepared for production.
 *
 * MUST SET for your cluster before the first sync (see README, "Configure prod"):
 * - kubernetesApi.serviceCidrs: `kubectl get svc kubernetes -n default -o jsonpath='{.spec.clusterIP}'` + "/32"
 * - kubernetesApi.endpointCidrs: the addresses of `kubectl get endpoints kubernetes -n default` (control plane nodes)
 * - storageClass: a replicated production StorageClass
 * - tls.issuer: your cert-manager issuer
 * - walBackup: your bucket, region and credentials Secret
 */
export const PROD: EnvironmentConfig = {
  name: 'prod',
  kubernetesApi: {
    serviceCidrs: EXAMPLE_VALUES.serviceCidrs,
    endpointCidrs: EXAMPLE_VALUES.endpointCidrs,
  },
  clusters: [
    {
      ...JEWELRY_SHOP_DB,
      storageClass: 'longhorn',
      // Every TCP connection from outside the pod must use TLS, with a certificate from cert-manager.
      // MUST SET: the name (and kind) of your cert-manager issuer.
      sslPolicy: SslPolicy.REQUIRED,
      tls: { issuer: { name: EXAMPLE_VALUES.tlsIssuer, kind: 'ClusterIssuer' } },
      // Point-in-time recovery: WAL-G archives every WAL segment and a daily base backup.
      // MUST SET: bucket, region (and endpoint/endpointCidrs for S3-compatible storage); create the Secret
      // `jewelry-shop-db-walg-credentials` (keys AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) in `jewelry-shop`.
      walBackup: {
        bucket: EXAMPLE_VALUES.walBucket,
        region: 'eu-central-1',
        credentialsSecret: 'jewelry-shop-db-walg-credentials',
        retainBaseBackups: 7,
      },
      // The operator rotates jewelry_app's password in place, in the database and in its Secret, every
      // password_rotation_interval days (operator setting, default 90); the application must re-read the Secret
      // (docs/backup-restore-tls.md, "Password rotation").
      passwordRotation: { users: ['jewelry_app'], inPlace: true },
    },
  ],
};

/** Every environment, synthesized by `npm run synth`. */
export const ENVIRONMENTS: readonly EnvironmentConfig[] = [DEV, PROD];

/**
 * How Argo CD or Flux finds this repository. MUST SET `repoUrl` to your repository's clone URL
 * (and `branch` if you deploy another one); see README, "GitOps".
 */
export const GITOPS: GitOpsConfig = {
  repoUrl: EXAMPLE_VALUES.repoUrl,
  branch: 'main',
};
