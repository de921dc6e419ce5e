/**
 * What Spilo's image has and a stock PostgreSQL 15 (Debian `postgresql-15`) has not: extension libraries
 * and their settings. `postgresql.parameters` may use them (Spilo loads them), but neither the settings
 * catalogue nor the integration test's stock server can check them, so they are accepted at synth time
 * and skipped, with the reason printed, when the parameters are proven on a real server.
 */

/** Libraries of Spilo's `shared_preload_libraries` that Debian's postgresql-15 does not ship, with why. */
export const SPILO_ONLY_LIBRARIES: Readonly<Record<string, string>> = {
  bg_mon: "Spilo's background monitor (HTTP on port 8080 of the pod), built into the Spilo image only",
  pg_auth_mon: 'authentication monitoring extension built into the Spilo image only',
  pg_cron: 'job scheduler shipped in the Spilo image (Debian: separate package postgresql-15-cron)',
  pg_mon: 'query monitoring extension built into the Spilo image only',
  pg_partman_bgw: "pg_partman's background worker, shipped in the Spilo image (Debian: postgresql-15-partman)",
  pg_stat_kcache: 'kernel statistics extension shipped in the Spilo image (Debian: postgresql-15-pg-stat-kcache)',
  pgextwlist: "extension whitelist used by Spilo's non-superuser roles, shipped in the Spilo image only",
  set_user: 'privilege escalation auditing shipped in the Spilo image (Debian: postgresql-15-set-user)',
  timescaledb: 'TimescaleDB, shipped in the Spilo image (not a Debian package)',
};

/** Prefixes of the custom settings those libraries define (`bg_mon.listen_address`, `cron.database_name`). */
export const SPILO_ONLY_SETTING_PREFIXES: Readonly<Record<string, keyof typeof SPILO_ONLY_LIBRARIES>> = {
  bg_mon: 'bg_mon',
  pg_auth_mon: 'pg_auth_mon',
  cron: 'pg_cron',
  pg_mon: 'pg_mon',
  pg_partman_bgw: 'pg_partman_bgw',
  pg_stat_kcache: 'pg_stat_kcache',
  extwlist: 'pgextwlist',
  set_user: 'set_user',
  timescaledb: 'timescaledb',
};

/** A parameter (or a part of one) that only Spilo's image can check. */
export interface SpiloOnlySetting {
  readonly name: string;
  /** The value, or for a library list the Spilo-only libraries that were taken out of it. */
  readonly value: string;
  readonly reason: string;
}

/** The library names of a `shared_preload_libraries`-style list (comma-separated, optionally double-quoted). */
export function libraryList(value: string): string[] {
  return value
    .split(',')
    .map((library) => library.trim().replace(/^"(.*)"$/, '$1'))
    .filter((library) => library !== '');
}

/**
 * Splits `postgresql.parameters` into what a stock PostgreSQL 15 can check and what only Spilo can: custom
 * settings of Spilo-only libraries are taken out, and Spilo-only libraries are taken out of the
 * `*_preload_libraries` lists (a list left empty is taken out entirely).
 */
export function separateSpiloOnlySettings(parameters: Readonly<Record<string, string>>): {
  readonly stock: Record<string, string>;
  readonly spiloOnly: SpiloOnlySetting[];
} {
  const stock: Record<string, string> = {};
  const spiloOnly: SpiloOnlySetting[] = [];
  for (const [name, value] of Object.entries(parameters)) {
    const library = spiloOnlyLibraryOfSetting(name);
    if (library !== undefined) {
      spiloOnly.push({ name, value, reason: `a setting of ${library}: ${SPILO_ONLY_LIBRARIES[library]}` });
    } else if (name.endsWith('_preload_libraries')) {
      const libraries = libraryList(value);
      const spiloLibraries = libraries.filter((entry) => entry in SPILO_ONLY_LIBRARIES);
      const kept = libraries.filter((entry) => !(entry in SPILO_ONLY_LIBRARIES));
      for (const entry of spiloLibraries) {
        spiloOnly.push({ name, value: entry, reason: SPILO_ONLY_LIBRARIES[entry] });
      }
      if (kept.length > 0) stock[name] = spiloLibraries.length > 0 ? kept.join(',') : value;
    } else {
      stock[name] = value;
    }
  }
  return { stock, spiloOnly };
}

/** The Spilo-only library that defines the custom setting `name`, if any. */
export function spiloOnlyLibraryOfSetting(name: string): string | undefined {
  const dot = name.indexOf('.');
  return dot < 0 ? undefined : SPILO_ONLY_SETTING_PREFIXES[name.slice(0, dot)];
}
