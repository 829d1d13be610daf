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

function element(value: unknown, name: string): unknown {
  if (value === null || value === undefined) return { '@_nil': 'true' };
  if (value instanceof Date) return { '#text': value.toISOString(), '@_type': 'datetime' };
  if (Array.isArray(value)) {
    const itemName = singularize(name);
    const items = value.map((item) => element(unwrapItem(item, itemName), itemName));
    return { '@_type': 'array', ...(items.length ? { [dasherize(itemName)]: items } : {}) };
  }
  switch (typeof value) {
    case 'boolean':
      return { '#text': String(value), '@_type': 'boolean' };
    case 'number':
      return { '#text': String(value), '@_type': Number.isInteger(value) ? 'integer' : 'float' };
    case 'object': {
      const out: Node = {};
      for (const [k, v] of Object.entries(value as Node)) out[dasherize(k)] = element(v, k);
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
  const doc = { [dasherize(name)]: element(body, name) };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(doc)}`;
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
