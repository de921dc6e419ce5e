/**
 * Synth-time validation of `postgresql.parameters` against the settings of a real PostgreSQL 15
 * (`postgres15-settings.ts`, generated from `pg_settings` by scripts/generate-pg-settings.js), so a typo
 * such as `shared_bufers` or a value such as `work_mem: 8mb` is refused by `cdk8s synth` instead of by
 * Patroni in a crash-looping pod. Values are parsed by PostgreSQL 15's own rules (guc.c: parse_bool,
 * parse_int, parse_real, convert_to_base_unit), and `test/postgres-integration.test.ts` checks that the
 * server agrees.
 */
import { POSTGRES_15_SETTINGS } from './postgres15-settings';
import { SettingDefinition, SettingsCatalogue } from './settings-catalogue';
import { spiloOnlyLibraryOfSetting } from './spilo-only-settings';

/** The outcome of checking one value: its value in the setting's base unit, or why PostgreSQL refuses it. */
export type ParsedSetting =
  | { readonly ok: true; readonly value: number | string | boolean }
  | { readonly ok: false; readonly problem: string };

export const BYTES_PER_MEMORY_UNIT: Readonly<Record<string, number>> = { B: 1, kB: 1024, '8kB': 8192, MB: 1024 ** 2 };
/** PostgreSQL's memory units, largest first (as in guc.c: a fraction is rounded to the next smaller unit). */
const MEMORY_UNITS: ReadonlyArray<readonly [string, number]> = [
  ['TB', 1024 ** 4],
  ['GB', 1024 ** 3],
  ['MB', 1024 ** 2],
  ['kB', 1024],
  ['B', 1],
];
const MILLISECONDS_PER_TIME_UNIT: Readonly<Record<string, number>> = { ms: 1, s: 1000, min: 60_000 };
/** PostgreSQL's time units, largest first. */
const TIME_UNITS: ReadonlyArray<readonly [string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1000],
  ['ms', 1],
  ['us', 0.001],
];
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/** The catalogue the app validates against (PostgreSQL 15). */
export const POSTGRES_SETTINGS: SettingsCatalogue = POSTGRES_15_SETTINGS;

/** Settings by lower-case name: PostgreSQL's setting names are case-insensitive (`DateStyle`, `datestyle`). */
const settingsByLowerCaseName = new Map(
  Object.entries(POSTGRES_SETTINGS.settings).map(([name, definition]) => [name.toLowerCase(), { name, definition }]),
);

/** The definition of the setting `name` (case-insensitive, as PostgreSQL matches names), if PostgreSQL 15 has it. */
export function findSetting(name: string): { readonly name: string; readonly definition: SettingDefinition } | undefined {
  return settingsByLowerCaseName.get(name.toLowerCase());
}

/**
 * Checks every `postgresql.parameters` entry: the name is a PostgreSQL 15 setting (or a setting of a library
 * only Spilo's image has), it is not read-only, and the value parses for its type, unit and range.
 * Returns one message per problem, each prefixed with `clusterName`.
 */
export function validatePostgresParameters(clusterName: string, parameters: Readonly<Record<string, string>>): string[] {
  const errors: string[] = [];
  for (const [name, value] of Object.entries(parameters)) {
    const field = `postgresql.parameters.${name}`;
    if (spiloOnlyLibraryOfSetting(name) !== undefined) continue; // only Spilo's image can check it
    const setting = findSetting(name);
    if (setting === undefined) {
      errors.push(`${clusterName}: ${field} is not a PostgreSQL ${POSTGRES_SETTINGS.postgresMajorVersion} setting: ${suggestName(name)}`);
      continue;
    }
    if (setting.definition.context === 'internal') {
      errors.push(`${clusterName}: ${field} is read-only (it reports how the server was built): remove it from postgresql.parameters`);
      continue;
    }
    const parsed = parseSettingValue(setting.definition, value);
    if (!parsed.ok) errors.push(`${clusterName}: ${field} = ${JSON.stringify(value)} is refused by PostgreSQL: ${parsed.problem}`);
  }
  return errors;
}

/**
 * Parses `value` as PostgreSQL 15 does for `setting` and returns it in the setting's base unit
 * (what `pg_settings.setting` shows), or the problem, with what is allowed.
 */
export function parseSettingValue(setting: SettingDefinition, value: string): ParsedSetting {
  if (value !== value.trim()) return refuse(`remove the spaces around the value`);
  switch (setting.type) {
    case 'bool':
      return parseBool(value);
    case 'enum':
      return parseEnum(setting, value);
    case 'integer':
      return parseNumber(setting, value, true);
    case 'real':
      return parseNumber(setting, value, false);
    case 'string':
      return { ok: true, value };
  }
}

/** guc.c parse_bool: true/false/yes/no and their prefixes, on/off (at least two letters), 1/0; any case. */
function parseBool(value: string): ParsedSetting {
  const lower = value.toLowerCase();
  const prefixOf = (word: string, minimum = 1) => lower.length >= minimum && word.startsWith(lower);
  if (lower === '1' || prefixOf('true') || prefixOf('yes') || lower === 'on') return { ok: true, value: true };
  if (lower === '0' || prefixOf('false') || prefixOf('no') || prefixOf('off', 2)) return { ok: true, value: false };
  return refuse('a boolean is one of on, off, true, false, yes, no, 1, 0');
}

function parseEnum(setting: SettingDefinition, value: string): ParsedSetting {
  // The catalogue lists the values of every enum setting.
  const allowed = setting.enumValues!;
  const match = allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
  return match === undefined ? refuse(`allowed values are ${allowed.join(', ')}`) : { ok: true, value: match };
}

/** guc.c parse_int / parse_real: a number (integers also in hex or octal), optionally followed by a unit. */
function parseNumber(setting: SettingDefinition, value: string, integer: boolean): ParsedSetting {
  const number = integer ? strtolOrStrtod(value) : leadingDecimal(value);
  if (number === undefined || Number.isNaN(number.value)) return refuse(`expected a number${unitHint(setting)}`);
  let result = number.value;
  const unit = value.slice(number.length).trimStart();
  if (unit !== '') {
    if (setting.unit === undefined) return refuse(`this setting takes a plain number, without a unit`);
    const converted = toBaseUnit(result, unit, setting.unit);
    if (converted === undefined) return refuse(`${JSON.stringify(unit)} is not a valid unit${unitHint(setting)}${caseHint(setting.unit, unit)}`);
    result = converted;
  }
  if (integer) {
    result = rint(result);
    if (result > INT_MAX || result < INT_MIN) return refuse(`the value exceeds the integer range`);
  }
  const { min, max } = setting;
  if ((min !== undefined && result < min) || (max !== undefined && result > max)) {
    return refuse(`${result}${setting.unit === undefined ? '' : ` ${setting.unit}`} is outside the valid range ${min} .. ${max}${unitHint(setting)}`);
  }
  return { ok: true, value: result };
}

/** `value` in `baseUnit`, or undefined when `unit` is not a unit of the same kind (memory or time). Units are case-sensitive. */
function toBaseUnit(value: number, unit: string, baseUnit: string): number | undefined {
  const baseBytes = BYTES_PER_MEMORY_UNIT[baseUnit];
  const baseMilliseconds = MILLISECONDS_PER_TIME_UNIT[baseUnit];
  const [units, base] = baseBytes !== undefined ? [MEMORY_UNITS, baseBytes] : [TIME_UNITS, baseMilliseconds];
  const index = units.findIndex(([name]) => name === unit);
  if (index < 0) return undefined;
  const converted = (value * units[index][1]) / base;
  const smaller = units[index + 1];
  // guc.c: a fraction ("1.5GB") is rounded to a whole number of the next smaller unit.
  return smaller === undefined ? converted : rint((converted * base) / smaller[1]) * (smaller[1] / base);
}

/** Units are case-sensitive: `mb` is not `MB`. */
function caseHint(baseUnit: string, unit: string): string {
  const kind = BYTES_PER_MEMORY_UNIT[baseUnit] !== undefined ? MEMORY_UNITS : TIME_UNITS;
  const intended = kind.find(([name]) => name.toLowerCase() === unit.toLowerCase());
  return intended === undefined ? '' : `; units are case-sensitive: write ${intended[0]}`;
}

function unitHint(setting: SettingDefinition): string {
  if (setting.unit === undefined) return '';
  const kind = BYTES_PER_MEMORY_UNIT[setting.unit] !== undefined ? MEMORY_UNITS : TIME_UNITS;
  return ` (a plain number is in ${setting.unit}; valid units are ${kind.map(([name]) => name).join(', ')})`;
}

/** guc.c parse_int: C strtol(value, &end, 0) (decimal, 0x hex, 0 octal), or strtod when strtol stops at '.', 'e' or 'E'. */
function strtolOrStrtod(value: string): { value: number; length: number } | undefined {
  const match = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(value);
  if (match === null || /^[.eE]/.test(value.slice(match[0].length))) return leadingDecimal(value);
  const digits = match[2];
  // Number() reads decimal and 0x hex; C's leading-0 octal it would read as decimal.
  const magnitude = /^0[0-7]/.test(digits) ? parseInt(digits, 8) : Number(digits);
  return { value: match[1] === '-' ? -magnitude : magnitude, length: match[0].length };
}

/** C rint(): to the nearest integer, halves to even. */
function rint(value: number): number {
  const rounded = Math.round(value);
  return Math.abs(value % 1) === 0.5 && rounded % 2 !== 0 ? rounded - 1 : rounded;
}

/** C strtod(value, &end) for decimal numbers and infinities (which then fail the range check). */
function leadingDecimal(value: string): { value: number; length: number } | undefined {
  const match = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)/i.exec(value);
  if (match === null) return undefined;
  const text = match[0].toLowerCase().replace('infinity', 'inf').replace('inf', 'Infinity');
  return { value: text.includes('nan') ? Number.NaN : Number(text), length: match[0].length };
}

function refuse(problem: string): ParsedSetting {
  return { ok: false, problem };
}

/** "did you mean X?" for the closest setting name, or what names are allowed. */
function suggestName(name: string): string {
  const lower = name.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const [candidateLower, { name: candidate }] of settingsByLowerCaseName) {
    const distance = editDistance(lower, candidateLower);
    if (best === undefined || distance < best.distance) best = { name: candidate, distance };
  }
  if (best !== undefined && best.distance <= Math.max(2, Math.floor(name.length / 4))) return `did you mean ${best.name}?`;
  const custom = name.includes('.')
    ? ` A custom setting needs the prefix of a library PostgreSQL loads: ${[...POSTGRES_SETTINGS.contribModules].join(', ')} ` +
      `(Debian's postgresql-15) or one only Spilo's image has (lib/rules/spilo-only-settings.ts).`
    : '';
  return `check the spelling against https://www.postgresql.org/docs/15/runtime-config.html.${custom}`;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
