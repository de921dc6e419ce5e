/**
 * Rules of one cluster's settings: pure functions from the resolved model to messages, registered with
 * `node.addValidation` by the constructs built from it, and collected for every environment before anything is written
 * (lib/app/synthesize.ts). Each message names the field, the value received, what is allowed and how to fix it.
 *
 * The patterns and enums are the operator CRD's, identical in v1.15.1 and v2.0.1
 * (../shared/crds/acid.zalan.do_postgresqls.*.yaml), so a value refused here would be refused by the API server.
 */
import { ContainerResources, DEFAULT_PATRONI, DEFAULT_VOLUME_SIZE, ResolvedCluster } from '../model/cluster';
import { managedObjectNames, operatorObjectNames } from '../model/operator';
import { failoverBudgetProblems } from './failover-budget';
import { q } from './text';

/** `spec.postgresql.version` enum accepted by both operator releases (v1.15.1: 13-17, v2.0.1: 14-18). */
export const POSTGRES_VERSIONS = ['14', '15', '16', '17'] as const;
/** `spec.volume.size` and `resources.*.memory` pattern of the CRD (both releases): a number, optionally a unit. */
export const QUANTITY_PATTERN = /^(\d+(e\d+)?|\d+(\.\d+)?(e\d+)?[EPTGMK]i?)$/;
/** `resources.*.cpu` pattern of the CRD (both releases): cores with at most three decimals, or millicores. */
export const CPU_PATTERN = /^(\d+m|\d+(\.\d{1,3})?)$/;
/** `spec.logicalBackupSchedule` pattern of the CRD (both releases): five cron fields of numbers, `*` and `/n` steps. */
export const CRON_PATTERN = /^(\d+|\*)(\/\d+)?(\s+(\d+|\*)(\/\d+)?){4}$/;
/** What cron accepts in each of the five fields (the CRD's pattern does not check the ranges; the CronJob does). */
const CRON_FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;
/** Role flags of the CRD's `users` enum (both releases list each in lower and in upper case). */
export const USER_FLAGS = ['bypassrls', 'nobypassrls', 'createdb', 'nocreatedb', 'createrole', 'nocreaterole', 'inherit', 'noinherit', 'login', 'nologin', 'replication', 'noreplication', 'superuser', 'nosuperuser'];
/**
 * The operator's rule for role names: zalando/postgres-operator pkg/cluster/cluster.go, `userRegexp`; `initRobotUsers`
 * refuses the whole `users` map ("invalid username") when one name breaks it, and the cluster fails to be created.
 */
export const OPERATOR_USER_NAME = /^[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*$/;
/**
 * The operator's rule for database names: pkg/cluster/cluster.go, `databaseNameRegexp`; `databaseNameOwnerValid`
 * (pkg/cluster/util.go) skips a database with another name, with nothing but an info log line.
 */
export const OPERATOR_DATABASE_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Kubernetes' limit for DNS-1035 and DNS-1123 labels (Service names, label keys' name part, namespaces). */
const DNS_LABEL_MAX_LENGTH = 63;
/**
 * The operator's own limit: zalando/postgres-operator pkg/apis/acid.zalan.do/v1/const.go,
 * `clusterNameMaxLength = serviceNameMaxLength - len("-repl")` = 63 - 5, checked by `extractClusterName` (util.go)
 * when it reads a `postgresql` object; a longer name leaves the cluster in status Invalid.
 */
export const OPERATOR_CLUSTER_NAME_MAX_LENGTH = DNS_LABEL_MAX_LENGTH - operatorObjectNames('').replicas.length;
/**
 * The longest suffix this app appends to the cluster name for a name limited to 63 characters: the exporter's
 * Service `<cluster>-metrics` (lib/constructs/metrics-exporter.ts). The others are shorter: `-pooler` (the operator's Service and
 * our pod label value), `-client` (the clients' label key), `-config` and `-repl` (the operator's Services).
 */
const LONGEST_DNS_LABEL_SUFFIX = managedObjectNames('').metricsService;
/** Cluster names longer than this are refused: 55, from the exporter's Service; the operator alone would allow 58. */
export const CLUSTER_NAME_MAX_LENGTH = Math.min(OPERATOR_CLUSTER_NAME_MAX_LENGTH, DNS_LABEL_MAX_LENGTH - LONGEST_DNS_LABEL_SUFFIX.length);
/** The operator's `serviceNameRegexString` (const.go): a DNS-1035 label. */
// Stryker disable next-line Regex: a cluster name is at least "<teamId>-x", so the optional group always has something to match; kept as the operator writes it
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** A namespace name: a DNS-1123 label. */
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const isCount = (value: number, min: number) => Number.isInteger(value) && value >= min;
/** `value` as a DNS label, for a suggestion in a message: lowercase, other characters as dashes. */
const asDnsLabel = (value: string) => value.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+|-+$/g, '') || 'db';

/** `value` as a role name the operator accepts, for a suggestion in a message: lowercase, other characters as `_`. */
const asRoleName = (value: string) => value.toLowerCase().replace(/[^a-z0-9._-]+/g, '_').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'app';
/** `value` as a database name the operator accepts, for a suggestion in a message. */
const asDatabaseName = (value: string) => value.replace(/[^a-zA-Z0-9_]+/g, '_').replace(/^(?=\d)/, '_');

/** The quantity a user most likely meant by `value` ("100GB" -> "100Gi"), as the fix of a message. */
function quantityFix(value: string, example: string): string {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgtpe])(?:i?b|i)?\s*$/i.exec(value);
  return match ? `write ${q(`${match[1]}${match[2].toUpperCase()}i`)}` : `write for example ${q(example)}`;
}

/** Every broken rule of one cluster's settings. */
export function validateCluster(props: ResolvedCluster): string[] {
  const errors: string[] = [];
  const name = props.name;
  const fail = (message: string) => errors.push(`${name}: ${message}`);

  // The operator compares the prefix case-insensitively (util.go, extractClusterName).
  if (props.teamId === '') {
    fail(`teamId must not be empty (got ""): the operator's team, and the prefix of the cluster name; set teamId to the operator's name of the team that owns ${q(name)}`);
  } else if (!name.toLowerCase().startsWith(`${props.teamId.toLowerCase()}-`)) {
    fail(`name must start with the teamId and a dash, "${props.teamId}-" (got ${q(name)}): the operator refuses other names; rename it to "${props.teamId}-${name}" or change teamId`);
  }
  if (name.length > CLUSTER_NAME_MAX_LENGTH) {
    fail(
      `name must be at most ${CLUSTER_NAME_MAX_LENGTH} characters (got ${name.length}): the operator refuses more than ${OPERATOR_CLUSTER_NAME_MAX_LENGTH}, ` +
        `and the exporter's Service "${name}${LONGEST_DNS_LABEL_SUFFIX}" must fit Kubernetes' ${DNS_LABEL_MAX_LENGTH}; shorten it to ${CLUSTER_NAME_MAX_LENGTH} characters`,
    );
  }
  if (!DNS_1035.test(name)) {
    fail(`name must be lowercase letters, digits and dashes, starting with a letter and not ending with a dash (got ${q(name)}): it names Kubernetes Services; rename it to ${q(asDnsLabel(name))}`);
  }
  if (!DNS_1123_LABEL.test(props.namespace) || props.namespace.length > DNS_LABEL_MAX_LENGTH) {
    fail(`namespace must be lowercase letters, digits and dashes, at most ${DNS_LABEL_MAX_LENGTH} characters (got ${q(props.namespace)}): rename it to ${q(asDnsLabel(props.namespace).slice(0, DNS_LABEL_MAX_LENGTH))}`);
  }

  const version = props.postgresVersion;
  if (!(POSTGRES_VERSIONS as readonly string[]).includes(version)) {
    fail(`postgresVersion must be one of ${POSTGRES_VERSIONS.join(', ')} (got ${q(version)}): the versions both operator releases (v1.15.1, v2.0.1) accept; set postgresVersion: "15"`);
  }

  const instances = props.numberOfInstances;
  const patroni = props.patroni;
  if (!isCount(instances, 1)) {
    fail(`numberOfInstances must be an integer >= 1 (got ${instances}): set numberOfInstances: 3`);
  } else if (patroni.synchronousMode && instances < 2) {
    fail(`numberOfInstances must be >= 2 when patroni.synchronousMode is on (got ${instances}): set numberOfInstances: 3 or patroni.synchronousMode: false`);
  } else if (patroni.synchronousMode && !isCount(patroni.synchronousNodeCount, 1)) {
    fail(`patroni.synchronousNodeCount must be an integer >= 1 when patroni.synchronousMode is on (got ${patroni.synchronousNodeCount}): set synchronousNodeCount: 1 or patroni.synchronousMode: false`);
  } else if (patroni.synchronousMode && patroni.synchronousNodeCount >= instances) {
    fail(
      `patroni.synchronousNodeCount must be less than numberOfInstances (got ${patroni.synchronousNodeCount} with ${instances} instances): ` +
        `one member is the primary; set synchronousNodeCount: ${instances - 1} or more instances`,
    );
  }
  const timings = (['ttl', 'loopWait', 'retryTimeout'] as const).filter((field) => !isCount(patroni[field], 1));
  for (const field of timings) {
    fail(`patroni.${field} must be a whole number of seconds >= 1 (got ${patroni[field]}): remove it for Patroni's default, ${DEFAULT_PATRONI[field]}`);
  }
  if (timings.length === 0 && patroni.loopWait + 2 * patroni.retryTimeout > patroni.ttl) {
    fail(
      `patroni timings must satisfy loopWait + 2 * retryTimeout <= ttl (got ${patroni.loopWait} + 2 * ${patroni.retryTimeout} = ` +
        `${patroni.loopWait + 2 * patroni.retryTimeout} > ${patroni.ttl}): Patroni would lose its leader lock while retrying; ` +
        `raise ttl to ${patroni.loopWait + 2 * patroni.retryTimeout} or lower loopWait or retryTimeout`,
    );
  }
  if (timings.length === 0) failoverBudgetProblems(patroni).forEach(fail);

  const volume = props.volumeSize;
  if (!QUANTITY_PATTERN.test(volume)) {
    fail(`volumeSize must be a Kubernetes quantity, a number with an optional unit Ki, Mi, Gi, Ti (or K, M, G, T for powers of 1000) (got ${q(volume)}): ${quantityFix(volume, DEFAULT_VOLUME_SIZE)}`);
  }
  const checkResources = (field: string, resources: ContainerResources) => {
    for (const kind of ['requests', 'limits'] as const) {
      const { cpu, memory } = resources[kind];
      if (!CPU_PATTERN.test(cpu)) {
        fail(`${field}.${kind}.cpu must be cores with at most three decimals ("2", "0.5") or millicores ("500m") (got ${q(cpu)}): write for example "1" or "500m"`);
      }
      if (!QUANTITY_PATTERN.test(memory)) {
        fail(`${field}.${kind}.memory must be a Kubernetes quantity, a number with an optional unit Ki, Mi, Gi, Ti (or K, M, G, T) (got ${q(memory)}): ${quantityFix(memory, '4Gi')}`);
      }
    }
  };
  checkResources('resources', props.resources);
  checkResources('connectionPooler.resources', props.connectionPooler.resources);
  const poolerInstances = props.connectionPooler.numberOfInstances;
  if (!isCount(poolerInstances, 1)) {
    // The CRD's `connectionPooler.numberOfInstances` has `minimum: 1`.
    fail(`connectionPooler.numberOfInstances must be an integer >= 1 (got ${poolerInstances}): set connectionPooler.numberOfInstances: 2`);
  }

  const schedule = props.logicalBackup.schedule;
  errors.push(...validateCronSchedule(schedule).map((problem) => `${name}: logicalBackup.schedule ${problem}`));

  const users = props.users ?? {};
  const userList = `${Object.keys(users).join(', ') || 'none'}`;
  for (const [user, flags] of Object.entries(users)) {
    if (!OPERATOR_USER_NAME.test(user)) {
      fail(
        `users has the role name ${q(user)}, which the operator refuses (allowed: lowercase letters, digits, "-" and "_", ` +
          `starting and ending with a letter or digit, parts joined by "."): the cluster would not be created; rename it to ${q(asRoleName(user))}`,
      );
    }
    for (const flag of flags) {
      if (!USER_FLAGS.includes(flag) && !(USER_FLAGS.includes(flag.toLowerCase()) && flag === flag.toUpperCase())) {
        fail(`users.${user} has the flag ${q(flag)}, which is not one of ${USER_FLAGS.join(', ')} (or the same in upper case): remove it or use one of those`);
      }
    }
  }
  for (const [database, owner] of Object.entries(props.databases ?? {})) {
    if (!OPERATOR_DATABASE_NAME.test(database)) {
      fail(
        `databases has the name ${q(database)}, which the operator skips without an error (allowed: letters, digits and "_", ` +
          `not starting with a digit): rename it to ${q(asDatabaseName(database))}`,
      );
    }
    if (!(owner in users)) {
      const suggestion = owner === '' ? 'name the owner, one of users' : `add users: { ${owner}: [] } or change the owner`;
      fail(`databases.${database} is owned by ${q(owner)}, which is not among users (${userList}): ${suggestion}`);
    }
  }
  const rotated = props.passwordRotation?.users ?? [];
  rotated.forEach((user, index) => {
    if (!(user in users)) fail(`passwordRotation.users has ${q(user)}, which is not among users (${userList}): add it to users or remove it from passwordRotation.users`);
    if (rotated.indexOf(user) !== index) fail(`passwordRotation.users lists ${q(user)} twice: list each user once`);
  });
  // Rotation with new roles (`usersWithSecretRotation`) logs the application in as `<user><YYMMDD>`, a member of
  // the user: what it creates belongs to that role, which the operator drops after the retention period. The
  // operator excludes database owners from global rotation for this reason and recommends in-place rotation for them
  // (docs/administrator.md, "Password rotation in K8s secrets").
  if (props.passwordRotation !== undefined && !props.passwordRotation.inPlace) {
    for (const [database, owner] of Object.entries(props.databases ?? {})) {
      if (rotated.includes(owner)) {
        fail(
          `passwordRotation.inPlace is false but ${q(owner)} owns the database ${q(database)} (allowed for database owners: inPlace: true): ` +
            `objects created by the rotation role ${owner}<YYMMDD> would belong to a role the operator drops later; ` +
            'set passwordRotation.inPlace: true, or rotate a separate application user that owns nothing',
        );
      }
    }
  }
  return errors;
}

/**
 * Problems of a `logicalBackupSchedule`: the CRD's pattern (numbers, `*`, `/n` steps; no names, ranges or lists),
 * then the range of each field, which the pattern does not check but the CronJob controller does.
 */
export function validateCronSchedule(schedule: string): string[] {
  if (!CRON_PATTERN.test(schedule)) {
    return [`must be five cron fields of numbers, "*" and "/n" steps (got ${q(schedule)}): for example "0 2 * * *"; names, ranges and lists are refused by the CRD`];
  }
  return schedule
    .split(/\s+/)
    .flatMap((field, index) => {
      const { name, min, max } = CRON_FIELDS[index];
      const [value, step] = field.split('/');
      const problems: string[] = [];
      if (value !== '*' && !(Number(value) >= min && Number(value) <= max)) {
        problems.push(`${name} must be ${min}-${max} or "*" (got ${q(value)} in ${q(schedule)}): for example "0 2 * * *" runs daily at 02:00`);
      }
      if (step !== undefined && !(Number(step) >= 1)) problems.push(`step of the ${name} must be >= 1 (got ${q(field)} in ${q(schedule)}): write for example "*/15"`);
      return problems;
    });
}
