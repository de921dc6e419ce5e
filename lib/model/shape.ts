/**
 * The shape messages of the configuration's schemas: each names the field's path, what is allowed, the value received
 * and how to write it: `prod.clusters[0].connectionPooler.mode must be one of "transaction", "session" (got the string
 * "foo"): write for example "transaction"`.
 */
import * as z from 'zod';

/** A value as a message shows it: `"foo"`, `the number 100`, `the string "10.43.0.1/32"`, `a list`, `undefined`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `the list ${JSON.stringify(value)}`;
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value)}`;
    case 'number':
    case 'boolean':
      return `the ${typeof value} ${value}`;
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

/** An example that is code, written as it is (`SslPolicy.OPTIONAL`), not as a quoted string. */
export const code = (text: string) => ({ toString: () => text });

/** An example as written in lib/config.ts: strings quoted, anything else (numbers, lists, code) as it is. */
const written = (example: unknown) => (typeof example === 'string' && !/^[[{]/.test(example) ? JSON.stringify(example) : String(example));

// The fields' schemas, each with its message. A `...Or(fallback)` field defaults to `fallback`, which its message
// also shows as the example: the default is written once.

/** A string field: `what` is allowed (`a namespace as a string`), `example` is shown as the fix. */
export const text = (what: string, example: unknown) => z.string({ error: expected(what, example) });
/** A string field that is `fallback` when left out. */
export const textOr = (what: string, fallback: string) => text(what, fallback).default(fallback);
export const number = (example: number, what = 'a number') => z.number({ error: expected(what, example) });
/** A number field that is `fallback` when left out. */
export const numberOr = (fallback: number, what?: string) => number(fallback, what).default(fallback);
export const bool = (example: boolean) => z.boolean({ error: expected('true or false', example) });
/** A true-or-false field that is `fallback` when left out. */
export const boolOr = (fallback: boolean) => bool(fallback).default(fallback);
/** One of `choices`, `fallback` when left out. */
export const choiceOr = <const T extends readonly [string, ...string[]]>(choices: T, fallback: T[number]) =>
  z.enum(choices, { error: expected(`one of ${choices.map((choice) => JSON.stringify(choice)).join(', ')}`, fallback) }).default(fallback);
/** A list of strings: `what` is allowed (`a list of namespaces`), `example` (written as code: `'"monitoring"'`) is one item. */
export const stringList = (what: string, example: string) =>
  z.array(z.string({ error: expected('a string', example) }), { error: expected(what, `[${example}]`) }).readonly();
/** Labels: `example` is written as code (`OPERATOR_POD_LABELS.helm`), `valueExample` is one label's value. */
export const labels = (example: string, valueExample = 'true') =>
  z.record(z.string(), z.string({ error: expected('a string', valueExample) }), { error: expected('labels, a map of strings', example) });
/** Labels that are `fallback` when left out, written as code in the message: `{ release: 'kube-prometheus-stack' }`. */
export const labelsOr = (fallback: Readonly<Record<string, string>>) => {
  const entries = Object.entries(fallback);
  const key = (name: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : `'${name}'`);
  return labels(`{ ${entries.map(([name, value]) => `${key(name)}: '${value}'`).join(', ')} }`, entries[0]?.[1]).default({ ...fallback });
};

/**
 * A zod error map for a field that must be `what`: `must be a string (got the number 100): write for example "100Gi"`.
 * A single string where a list is expected is shown wrapped in a list, as the fix.
 */
export function expected(what: string, example: unknown) {
  return (issue: { readonly input?: unknown }) => {
    const fix =
      typeof issue.input === 'string' && /\blist\b/.test(what) ? `write it as a list: [${JSON.stringify(issue.input)}]` : `write for example ${written(example)}`;
    return `must be ${what} (got ${describeValue(issue.input)}): ${fix}`;
  };
}

/** `prod.clusters[0].connectionPooler.mode`: names as properties, indexes and other keys in brackets. */
function pathText(prefix: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(String(key)) ? `${text}.${String(key)}` : `${text}[${JSON.stringify(String(key))}]`),
    prefix,
  );
}

/** The messages of every issue of a failed parse, each prefixed with the path of its field. */
export function shapeMessages(error: z.ZodError, schema: z.ZodType, prefix: string): string[] {
  return error.issues.flatMap((issue) => {
    const at = pathText(prefix, issue.path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = fieldsAt(schema, issue.path);
        return issue.keys.map(
          (key) => `${pathText(at, [key])} is not a field (allowed: ${allowed.join(', ')}): remove it or correct its spelling`,
        );
      }
      case 'invalid_type':
        // Our schemas' own messages say what is allowed and how to write it; zod's generic ones are reworded.
        return [issue.message.startsWith('must be') ? `${at} ${issue.message}` : `${at} must be ${article(issue.expected)} (got ${describeValue(issue.input)})`];
      default:
        return [issue.message.startsWith('must be') ? `${at} ${issue.message}` : `${at}: ${issue.message} (got ${describeValue(issue.input)})`];
    }
  });
}

const article = (type: string) => (type === 'array' ? 'a list' : type === 'object' ? 'an object' : `a ${type}`);

/** The field names of the object schema found at `path` inside `schema` (through optional, default, list, map, transform). */
function fieldsAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: any = schema;
  const unwrap = () => {
    for (;;) {
      const def = current?._zod?.def;
      if (def?.innerType) current = def.innerType;
      else if (def?.type === 'pipe') current = def.in;
      else return;
    }
  };
  for (const key of path) {
    unwrap();
    const def = current?._zod?.def;
    if (def?.type === 'object') current = def.shape[key as string];
    else if (def?.type === 'array') current = def.element;
    else if (def?.type === 'record') current = def.valueType;
    else return [];
  }
  unwrap();
  return Object.keys(current?._zod?.def?.shape ?? {});
}
