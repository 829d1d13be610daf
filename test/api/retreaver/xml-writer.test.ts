import { describe, expect, it } from 'vitest';
import { toXml, toXmlWithBuilder } from '../../../src/api/retreaver/xml.js';

/**
 * The XML writer must answer byte for byte what fast-xml-parser's builder answered (clients and the
 * OpenAPI tests read the documents it made): random payloads of every shape the presenters hand over,
 * each written both ways.
 */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const TEXTS = [
  '',
  ' ',
  'plain',
  'a & b',
  '<tag>',
  `it's "quoted"`,
  '  padded  ',
  'line\nbreak',
  'ünï',
  '&amp;',
  '>',
];
const KEYS = [
  'id',
  'name',
  'tag_list',
  'time-zone',
  'caps',
  'business_hours',
  'data',
  'timers',
  'entries',
  'x_y_z',
  '0',
  '12',
  'a-b',
];

function value(r: () => number, depth: number): unknown {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const kind = depth > 4 ? Math.floor(r() * 6) : Math.floor(r() * 9);
  switch (kind) {
    case 0:
      return pick(TEXTS);
    case 1:
      return pick([0, -0, 1, -17, 2 ** 40, 1.5, -0.25, Number.NaN, Number.POSITIVE_INFINITY]);
    case 2:
      return r() < 0.5;
    case 3:
      return pick([null, undefined]);
    case 4:
      return new Date(1_700_000_000_000 + Math.floor(r() * 1e10));
    case 5:
      return pick(['x_y', 'a-b-c']);
    case 6:
    case 7: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 5);
      for (let i = 0; i < n; i++) o[pick(KEYS)] = value(r, depth + 1);
      return o;
    }
    default: {
      const n = Math.floor(r() * 4);
      const name = pick(['timer', 'entry', 'datum', 'cap']);
      return Array.from({ length: n }, () =>
        r() < 0.3 ? { [name]: value(r, depth + 1) } : value(r, depth + 1),
      );
    }
  }
}

describe('XML writer', () => {
  it('writes what the generic builder wrote, for 3,000 random payloads', () => {
    const r = rng(16);
    for (let i = 0; i < 3000; i++) {
      const payload = value(r, 0);
      const root = ['targets', 'target', 'hash', 'data', 'objects', 'call_flow'][i % 6];
      expect(toXml(payload, root), JSON.stringify(payload)).toBe(toXmlWithBuilder(payload, root));
    }
  });

  it('writes a list page like the builder', () => {
    const page = [
      {
        id: 5,
        name: 'Target & Co <main>',
        tag_list: '',
        created_at: new Date(0),
        concurrency_cap: null,
        business_hours: [{ business_hour: { day_of_week: 1, time_open: 900 } }],
        caps: [],
        paused: false,
        weight: 1.5,
      },
    ];
    const xml = toXml(page, 'targets');
    expect(xml).toBe(toXmlWithBuilder(page, 'targets'));
    expect(xml).toContain('<name>Target &amp; Co &lt;main&gt;</name>');
    expect(xml).toContain('<concurrency-cap nil="true"></concurrency-cap>');
  });

  it('leaves names the builder reads specially, and very deep documents, to the builder', () => {
    for (const payload of [{ '@_type': 'x', a: 1 }, { '#text': 'y' }, { '?pi': 1 }]) {
      expect(toXml(payload, 'hash')).toBe(toXmlWithBuilder(payload, 'hash'));
    }
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 120; i++) deep = { n: deep };
    expect(() => toXml(deep, 'hash')).toThrow('Maximum nested tags exceeded');
    let fine: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 95; i++) fine = { n: fine };
    expect(toXml(fine, 'hash')).toBe(toXmlWithBuilder(fine, 'hash'));
  });
});
