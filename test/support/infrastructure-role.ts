/**
 * A role created as the Zalando operator creates an infrastructure role: `CREATE ROLE "<name>" LOGIN IN ROLE ...
 * PASSWORD '...'` (postgres-operator v1.15.1 pkg/util/users/users.go `createPgUser`: `createUserSQL` with the flags,
 * `inRoleTemplate` and the password; infrastructure roles get LOGIN unless NOLOGIN is given, pkg/cluster/cluster.go
 * `initInfrastructureRoles` -> `normalizeUserFlags`).
 */
import { PostgresServer } from './postgres-server';

export function createInfrastructureRole(server: PostgresServer, name: string, password: string, inRoles: readonly string[]): void {
  const quoted = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
  server.admin(
    `SET LOCAL synchronous_commit = 'local'; CREATE ROLE ${quoted(name)} LOGIN IN ROLE ${inRoles.map(quoted).join(', ')} ` +
      `ENCRYPTED PASSWORD '${password.replace(/'/g, "''")}';`,
  );
}
