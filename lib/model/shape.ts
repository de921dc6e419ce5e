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
