/**
 * Configuration rules: pure functions from props to messages, registered with `node.addValidation` by the
 * constructs that own the props, and collected for every environment before anything is written
 * (lib/synthesize.ts). Each message names the field, the value received, what is allowed and how to fix it.
 *
 * The patterns and enums are the operator CRD's, identical in v1.15.1 and v2.0.1
 * (../shared/crds/acid.zalan.do_postgresqls.*.yaml), so a value refused here would be refused by the API server.
 */
import { parseIpv4Cidr } from './cidr';
import { DEFAULT_PATRONI, PostgresClusterProps } from './postgres-cluster';

/** `spec.postgresql.version` enum accepted by both operator releases (v1.15.1: 13-17, v2.0.1: 14-18). */
export const POSTGRES_VERSIONS = ['14', '15', '16', '17'] as const;
/** `spec.volume.size` and `resources.*.memory` pattern of the CRD (Kubernetes quantities). */
export const QUANTITY_PATTERN = /^(\d+(e\d+)?|\d+(\.\d+)?(e\d+)?[EPTGMK]i?)$/;
/** `resources.*.cpu` pattern of the CRD. */
export const CPU_PATTERN = /^(\d+m|\d+(\.\d{1,3})?)$/;
/** `spec.logicalBackupSchedule` pattern of the CRD: five cron fields of numbers, `*` and `/n` steps. */
export const CRON_PATTERN = /^(\d+|\*)(\/\d+)?(\s+(\d+|\*)(\/\d+)?){4}$/;
/** Role flags the CRD's `users` enum allows. */
export const USER_FLAGS = ['bypassrls', 'nobypassrls', 'createdb', 'nocreatedb', 'createrole', 'nocreaterole', 'inherit', 'noinherit', 'login', 'nologin', 'replication', 'noreplication', 'superuser', 'nosuperuser'];
/**
 * The longest name the operator derives from a cluster is its replica pooler Service `<cluster>-pooler-repl`; Service
 * names are DNS-1035 labels of at most 63 characters, so a cluster name may have at most 63 - 12 = 51.
 */
export const CLUSTER_NAME_MAX_LENGTH = 51;
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const q = (value: unknown) => JSON.stringify(value);

/** Every broken rule of one cluster's props. */
export function validateClusterProps(props: PostgresClusterProps): string[] {
  const errors: string[] = [];
  const name = props.name;
  const fail = (message: string) => errors.push(`${name}: ${message}`);

  if (!name.startsWith(`${props.teamId}-`)) {
    fail(`name must start with the teamId and a dash, "${props.teamId}-" (got ${q(name)}): the operator refuses other names; rename it to "${props.teamId}-${name}" or change teamId`);
  }
  if (name.length > CLUSTER_NAME_MAX_LENGTH) {
    fail(`name must be at most ${CLUSTER_NAME_MAX_LENGTH} characters (got ${name.length}): the operator's Service "${name}-pooler-repl" must fit Kubernetes' 63; shorten it`);
  }
  if (!DNS_1035.test(name)) {
    fail(`name must be lowercase letters, digits and dashes, starting with a letter (got ${q(name)}): it names Kubernetes Services`);
  }

  const version = props.postgresVersion ?? '15';
  if (!(POSTGRES_VERSIONS as readonly string[]).includes(version)) {
    fail(`postgresVersion must be one of ${POSTGRES_VERSIONS.join(', ')} (got ${q(version)}): the versions both operator releases (v1.15.1, v2.0.1) accept`);
  }

  const instances = props.numberOfInstances ?? 3;
  const patroni = { ...DEFAULT_PATRONI, ...props.patroni };
  if (!Number.isInteger(instances) || instances < 1) {
    fail(`numberOfInstances must be an integer >= 1 (got ${instances}): set numberOfInstances: 3`);
  } else if (patroni.synchronousMode && instances < 2) {
    fail(`numberOfInstances must be >= 2 when patroni.synchronousMode is on (got ${instances}): set numberOfInstances: 3 or patroni.synchronousMode: false`);
  }
  if (patroni.synchronousMode && instances >= 1 && patroni.synchronousNodeCount >= instances) {
    fail(
      `patroni.synchronousNodeCount must be less than numberOfInstances (got ${patroni.synchronousNodeCount} with ${instances} instances): ` +
        `one member is the primary; set synchronousNodeCount: ${Math.max(1, instances - 1)} or more instances`,
    );
  }
  if (patroni.loopWait + 2 * patroni.retryTimeout > patroni.ttl) {
    fail(
      `patroni timings must satisfy loopWait + 2 * retryTimeout <= ttl (got ${patroni.loopWait} + 2 * ${patroni.retryTimeout} = ` +
        `${patroni.loopWait + 2 * patroni.retryTimeout} > ${patroni.ttl}): Patroni would lose its leader lock while retrying; raise ttl or lower loopWait or retryTimeout`,
    );
  }

  const volume = props.volumeSize ?? '100Gi';
  if (!QUANTITY_PATTERN.test(volume)) {
    fail(`volumeSize must be a Kubernetes quantity such as "100Gi" (got ${q(volume)}): binary units are Ki, Mi, Gi, Ti; decimal k, M, G, T (not "GB")`);
  }
  const checkResources = (field: string, resources: PostgresClusterProps['resources']) => {
    if (!resources) return;
    for (const kind of ['requests', 'limits'] as const) {
      const { cpu, memory } = resources[kind];
      if (!CPU_PATTERN.test(cpu)) fail(`${field}.${kind}.cpu must be cores ("2", "0.5") or millicores ("500m") (got ${q(cpu)})`);
      if (!QUANTITY_PATTERN.test(memory)) fail(`${field}.${kind}.memory must be a Kubernetes quantity such as "4Gi" or "512Mi" (got ${q(memory)}): not "4GB"`);
    }
  };
  checkResources('resources', props.resources);
  checkResources('connectionPooler.resources', props.connectionPooler?.resources);

  const schedule = props.logicalBackup?.schedule;
  if (schedule !== undefined && !CRON_PATTERN.test(schedule)) {
    fail(`logicalBackup.schedule must be five cron fields of numbers, "*" and "/n" steps (got ${q(schedule)}): for example "0 2 * * *"; names and ranges are refused by the CRD`);
  }

  const users = props.users ?? {};
  for (const [user, flags] of Object.entries(users)) {
    for (const flag of flags) {
      if (!USER_FLAGS.includes(flag)) fail(`users.${user} has the flag ${q(flag)}, which is not one of ${USER_FLAGS.join(', ')}`);
    }
  }
  for (const [database, owner] of Object.entries(props.databases ?? {})) {
    if (!(owner in users)) {
      fail(`databases.${database} is owned by ${q(owner)}, which is not among users (${Object.keys(users).join(', ') || 'none'}): add users: { ${owner}: [] } or change the owner`);
    }
  }
  for (const field of ['passwordRotation'] as const) {
    for (const user of props[field]?.users ?? []) {
      if (!(user in users)) fail(`${field}.users has ${q(user)}, which is not among users (${Object.keys(users).join(', ') || 'none'})`);
    }
  }
  return errors;
}

/** Every broken rule of CIDRs and ports a cluster's NetworkPolicies use. */
export function validateNetwork(clusterName: string, cidrs: Readonly<Record<string, readonly string[]>>, ports: Readonly<Record<string, number | undefined>>): string[] {
  const errors: string[] = [];
  for (const [field, values] of Object.entries(cidrs)) {
    values.forEach((cidr, index) => {
      if (!parseIpv4Cidr(cidr)) errors.push(`${clusterName}: ${field}[${index}] must be an IPv4 CIDR such as "10.43.0.1/32" (got ${q(cidr)})`);
    });
  }
  for (const [field, port] of Object.entries(ports)) {
    if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
      errors.push(`${clusterName}: ${field} must be a port from 1 to 65535 (got ${port})`);
    }
  }
  return errors;
}

/** A container image must be pinned: a tag other than `latest`, or a digest. */
export function validateImage(clusterName: string, field: string, image: string): string[] {
  const pinned = /@sha256:[0-9a-f]{64}$/.test(image) || (/:[\w][\w.-]{0,127}$/.test(image.split('/').pop() ?? '') && !image.endsWith(':latest'));
  return pinned ? [] : [`${clusterName}: ${field} must be pinned to a release tag or digest (got ${q(image)}): for example "quay.io/prometheuscommunity/postgres-exporter:v0.17.1"; never "latest" or no tag`];
}

/** Environment names: folder names under dist/, each once. */
export function validateEnvironmentNames(names: readonly string[]): string[] {
  const errors: string[] = [];
  names.forEach((name, index) => {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name === 'gitops') {
      errors.push(`environments[${index}].name must be lowercase letters, digits and dashes, and not "gitops" (got ${q(name)}): it is the folder dist/<name>`);
    }
    if (names.indexOf(name) !== index) errors.push(`environments[${index}].name ${q(name)} is used twice: each environment needs its own folder dist/<name>`);
  });
  return errors;
}
