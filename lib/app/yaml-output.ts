import { Yaml } from 'cdk8s';

/**
 * The YAML of Kubernetes objects, byte for byte as cdk8s writes it (`Yaml.stringify`: the `yaml` library, YAML 1.1,
 * no line folding), in a fraction of the time: `yaml` builds and then prints a document tree for every object,
 * which was a fifth of `npm run synth`'s time (about 50 ms of 250 ms).
 *
 * The layout of maps and lists is written here. Every scalar whose form this code cannot be sure of (a string that
 * could read as a number, a boolean, a date or null, needs quotes, spans lines, or a number that is not an integer)
 * is rendered by `Yaml.stringify` itself, once per distinct value, and a document with anything else in it (a list
 * directly in a list, a key that is not a plain word, a value that is not JSON) is handed to `Yaml.stringify`
 * whole. test/yaml-output.test.ts compares both on every synthesized object and on strings chosen to trip YAML.
 */
export function stringifyYaml(...documents: readonly unknown[]): string {
  return documents.map((document) => (document === undefined ? '\n' : stringifyDocument(document))).join('---\n');
}

/** Strings of this form, but for YAML_11_WORDS and a trailing space, read back unquoted as themselves. */
const PLAIN_SAFE = /^[A-Za-z_][A-Za-z0-9_./ -]*$/;
/** The words of that form that YAML 1.1 reads as a boolean or null instead. */
const YAML_11_WORDS = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;

/** Whether `text` is written as it is, unquoted, as a key or a value in any block context. */
function isPlainSafe(text: string): boolean {
  return PLAIN_SAFE.test(text) && !YAML_11_WORDS.test(text) && !text.endsWith(' ');
}

/** Thrown inside the fast path for what it does not cover; the document is then written by `Yaml.stringify`. */
class NotCovered extends Error {}

function stringifyDocument(document: unknown): string {
  try {
    if (isMap(document) && Object.keys(document).length > 0) return mapLines(document, '');
    if (Array.isArray(document) && document.length > 0) return listLines(document, '');
  } catch (error) {
    if (!(error instanceof NotCovered)) throw error;
  }
  return Yaml.stringify(document);
}

function isMap(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function mapLines(map: Record<string, unknown>, indent: string): string {
  let out = '';
  for (const key of Object.keys(map)) {
    const value = map[key];
    out += `${indent}${keyText(key)}:`;
    if (isMap(value) && Object.keys(value).length > 0) out += `\n${mapLines(value, `${indent}  `)}`;
    else if (Array.isArray(value) && value.length > 0) out += `\n${listLines(value, `${indent}  `)}`;
    else out += ` ${scalarText(value, indent)}\n`;
  }
  return out;
}

function listLines(list: readonly unknown[], indent: string): string {
  let out = '';
  for (const item of list) {
    if (isMap(item) && Object.keys(item).length > 0) {
      // The item's first key goes on the dash's line, the others under it.
      out += `${indent}- ${mapLines(item, `${indent}  `).slice(indent.length + 2)}`;
    } else if (Array.isArray(item) && item.length > 0) {
      throw new NotCovered();
    } else {
      out += `${indent}- ${scalarText(item, indent)}\n`;
    }
  }
  return out;
}

function keyText(key: string): string {
  if (isPlainSafe(key)) return key;
  throw new NotCovered();
}

/** Scalars as `Yaml.stringify` renders them as the value of a key at column 0, without the key and line end. */
const renderedByYaml = new Map<unknown, string>();

/**
 * A scalar (or an empty map or list) as the value of a key or a list item at `indent`. Block scalars (strings that
 * span lines) continue on the following lines, indented one step deeper than `indent`.
 */
function scalarText(value: unknown, indent: string): string {
  if (typeof value === 'string') {
    if (isPlainSafe(value)) return value;
  } else if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
  } else if (typeof value === 'boolean') {
    return value ? 'true' : 'false';
  } else if (value === null || value === undefined) {
    return 'null';
  } else if (isMap(value)) {
    return '{}';
  } else if (Array.isArray(value)) {
    return '[]';
  } else {
    throw new NotCovered();
  }
  let rendered = renderedByYaml.get(value);
  if (rendered === undefined) {
    rendered = Yaml.stringify({ k: value }).slice('k: '.length, -1);
    renderedByYaml.set(value, rendered);
  }
  return indent === '' || !rendered.includes('\n') ? rendered : rendered.replace(/\n(?=.)/g, `\n${indent}`);
}
