import { expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';

/**
 * Every documented path of every face, with path ids that exist, that don't, that are malformed or
 * out of range, and with bodies of the wrong shape: none may answer 5xx.
 */
it('no documented route answers 5xx to malformed input', async () => {
  const t = await createTestApp();
  try {
    const target = (await t.api('POST', '/targets.json', { target: { number: '+14155550001' } })).body.target;
    await t.api('POST', '/campaigns.json', { campaign: { cid: '1', target_ids: [target.id] } });
    await t.api('POST', '/numbers.json', { number: { afid: '1', cid: '1' } });
    await t.api('POST', '/target_groups.json', { target_group: { name: 'g', target_ids: [target.id] } });
    await t.api('POST', '/contacts.json', {
      contact: { contact_numbers_attributes: [{ number: '+18005551234' }] },
    });
    const doc = (await t.api('GET', '/openapi.json', undefined, { key: null })).body;
    const bad: string[] = [];
    let sent = 0;
    const bodies = [
      undefined,
      {},
      { x: 1 },
      [],
      'str',
      { number: 'abc', name: { a: 1 } },
      { target_ids: ['x'], add_targets_by_id: [-1] },
      { seconds: 'x', url: 5, events: 'all' },
      { from: 'x', to: 'y', digits: 'zz', seconds: -5 },
    ];
    for (const [path, ops] of Object.entries<Record<string, unknown>>(doc.paths)) {
      for (const method of Object.keys(ops)) {
        if (path.startsWith('/sim/clock')) continue;
        for (const fill of ['1', 'abc', '%ZZ', '99999999999999999999', '+18005551234', '-1']) {
          const url = path.replace(/\{[^}]+\}/g, fill);
          for (const body of method === 'get' || method === 'delete' ? [undefined] : bodies) {
            const res = await t.api(method.toUpperCase(), url, body);
            sent++;
            if (res.status >= 500)
              bad.push(`${method} ${url} ${JSON.stringify(body)} → ${res.status} ${res.text.slice(0, 160)}`);
          }
        }
      }
    }
    expect(sent).toBeGreaterThan(1000);
    expect(bad).toEqual([]);
  } finally {
    await t.close();
  }
}, 180_000);
