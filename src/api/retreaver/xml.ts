import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { ValidationFailed } from '../../domain/errors.js';

/**
 * Rails-style XML for the Retreaver faces, shaped like the seed's affiliates example: dasherized element
 * names, `type="array"` on lists, `type="datetime"` on times (presenters hand us Date objects), and typed
 * integers, booleans and nils so the document reads back into the same JSON.
 */
const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  suppressEmptyNode: false,
  suppressBooleanAttributes: false,
});

const dasherize = (key: string) => key.replace(/_/g, '-');
const underscore = (key: string) => key.replace(/-/g, '_');

export function singularize(word: string): string {
  // Rails' irregular Latin plural (a report's `data` rows are `datum` elements).
  if (word === 'data') return 'datum';
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses') || word.endsWith('ches') || word.endsWith('xes')) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

type Node = Record<string, unknown>;

/**
 * Thrown by `element` when a payload holds a name the builder reads specially (`@_…` attributes,
 * `#text`, `?…` instructions) or nests deeper than it allows: such a payload goes to the builder itself.
 */
class NeedsBuilder extends Error {}

/** The builder refuses documents nested this deep ("Maximum nested tags exceeded"); leave those to it. */
const MAX_DEPTH = 90;

/** The builder's input for one value; `checked`: throw NeedsBuilder where only the builder will do. */
function element(value: unknown, name: string, depth = 0, checked = true): unknown {
  if (value === null || value === undefined) return { '@_nil': 'true' };
  if (value instanceof Date) return { '#text': value.toISOString(), '@_type': 'datetime' };
  if (checked && depth > MAX_DEPTH) throw new NeedsBuilder();
  if (Array.isArray(value)) {
    const itemName = singularize(name);
    const items = value.map((item) => element(unwrapItem(item, itemName), itemName, depth + 1, checked));
    return { '@_type': 'array', ...(items.length ? { [dasherize(itemName)]: items } : {}) };
  }
  switch (typeof value) {
    case 'boolean':
      return { '#text': String(value), '@_type': 'boolean' };
    case 'number':
      return { '#text': String(value), '@_type': Number.isInteger(value) ? 'integer' : 'float' };
    case 'object': {
      const out: Node = {};
      for (const [k, v] of Object.entries(value as Node)) {
        const c = k.charCodeAt(0);
        if (checked && (c === 64 /* @ */ || c === 35 /* # */ || c === 63) /* ? */) throw new NeedsBuilder();
        out[dasherize(k)] = element(v, k, depth + 1, checked);
      }
      return out;
    }
    default:
      return String(value);
  }
}

/** `[{"timer": {...}}]` becomes `<timers type="array"><timer>...</timer></timers>`, not a timer in a timer. */
function unwrapItem(item: unknown, itemName: string): unknown {
  if (item && typeof item === 'object' && !Array.isArray(item) && !(item instanceof Date)) {
    const keys = Object.keys(item);
    if (keys.length === 1 && keys[0] === itemName) return (item as Node)[itemName];
  }
  return item;
}

/** Serializes a payload. `{affiliate: {...}}` roots at `<affiliate>`; lists and bare hashes need `root`. */
export function toXml(payload: unknown, root?: string): string {
  let name = root;
  let body = payload;
  if (!name && payload && typeof payload === 'object' && !Array.isArray(payload)) {
    const keys = Object.keys(payload);
    if (keys.length === 1) {
      name = keys[0];
      body = (payload as Node)[keys[0]];
    }
  }
  name ??= Array.isArray(payload) ? 'objects' : 'hash';
  let tree: unknown;
  try {
    tree = element(body, name);
  } catch (err) {
    if (!(err instanceof NeedsBuilder)) throw err;
    return toXmlWithBuilder(body, name);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n${write(dasherize(name), tree, 0)}`;
}

/**
 * The same document through fast-xml-parser's generic builder: ~30 ms for a page of 25 targets, most of
 * it the builder's path matching and per-entity regular expressions. `write` produces its output byte
 * for byte for the shapes `element` makes (test/api/retreaver/xml-writer.test.ts compares the two);
 * payloads it does not cover come here.
 */
export function toXmlWithBuilder(payload: unknown, name: string): string {
  const doc = { [dasherize(name)]: element(payload, name, 0, false) };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(doc)}`;
}

/**
 * One element as the builder writes it (format on, two-space indent, empty elements as `<a></a>`):
 * `node` is a string (text) or what `element` made — `@_` attributes, a `#text`, child elements, arrays
 * of same-named children.
 */
function write(name: string, node: unknown, level: number): string {
  const indent = INDENT[level] ?? '  '.repeat(level);
  if (typeof node === 'string') {
    return node === ''
      ? `${indent}<${name}></${name}>\n`
      : `${indent}<${name}>${escapeXml(node)}</${name}>\n`;
  }
  let attrs = '';
  let body = '';
  for (const key in node as Node) {
    const v = (node as Node)[key];
    if (key.charCodeAt(0) === 64 /* @ */) attrs += ` ${key.slice(2)}="${escapeXml(String(v))}"`;
    else if (key === '#text') body += escapeXml(String(v));
    else if (Array.isArray(v)) for (const item of v) body += write(key, item, level + 1);
    else body += write(key, v, level + 1);
  }
  if (body === '') return `${indent}<${name}${attrs}></${name}>\n`;
  if (body.indexOf('<') === -1) return `${indent}<${name}${attrs}>${body}</${name}>\n`;
  return `${indent}<${name}${attrs}>\n${body}${indent}</${name}>\n`;
}

const INDENT = Array.from({ length: 16 }, (_, i) => '  '.repeat(i));
const ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  "'": '&apos;',
  '"': '&quot;',
};
const SPECIAL = /[&<>'"]/;
const SPECIALS = /[&<>'"]/g;

function escapeXml(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ENTITY[c]) : text;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  trimValues: true,
  isArray: () => false,
  processEntities: true,
});

/** Reads a request body written in the same dialect back into plain JSON-like values. */
export function parseXml(text: string): unknown {
  try {
    const valid = XMLValidator.validate(text);
    if (valid !== true) throw ValidationFailed.field('body', `is not well-formed XML: ${valid.err.msg}`);
    const doc = parser.parse(text) as Node;
    const out: Node = {};
    for (const [k, v] of Object.entries(doc)) {
      if (k.startsWith('?')) continue;
      out[underscore(k)] = fromXml(v);
    }
    return out;
  } catch (err) {
    // The parser refuses entities it will not expand, names like __proto__, and (by running out of stack)
    // absurd nesting. Nothing was read, so each is the client's malformed body, never our 500.
    if (err instanceof ValidationFailed) throw err;
    throw ValidationFailed.field('body', `is not acceptable XML: ${reason(err)}`);
  }
}

function reason(err: unknown): string {
  if (err instanceof RangeError) return 'nested too deeply';
  return err instanceof Error ? err.message.split('\n')[0].slice(0, 200) : 'unreadable';
}

function fromXml(node: unknown): unknown {
  if (node === null || typeof node !== 'object') return node ?? '';
  const n = node as Node;
  if (n['@_nil'] === 'true') return null;
  const type = n['@_type'];
  if (type === 'array') {
    const children = Object.entries(n).filter(([k]) => !k.startsWith('@_') && k !== '#text');
    if (!children.length) return [];
    const [, v] = children[0];
    return (Array.isArray(v) ? v : [v]).map(fromXml);
  }
  const text = n['#text'];
  const keys = Object.keys(n).filter((k) => !k.startsWith('@_'));
  if (keys.length === 0 || (keys.length === 1 && keys[0] === '#text')) return typed(String(text ?? ''), type);
  const out: Node = {};
  for (const k of keys) if (k !== '#text') out[underscore(k)] = fromXml(n[k]);
  return out;
}

function typed(text: string, type: unknown): unknown {
  if (type === 'integer' && /^-?\d+$/.test(text)) return Number(text);
  if (type === 'float' && text !== '' && !Number.isNaN(Number(text))) return Number(text);
  if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}
