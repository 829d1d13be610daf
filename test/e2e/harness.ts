import { expect } from 'vitest';
import type { TestApp } from '../helpers/app.js';

/** Drives the simulated network through its HTTP API, as an external test would. */
export function simOf(t: TestApp) {
  const ok = async (method: string, url: string, body?: unknown) => {
    const res = await t.api(method, url, body);
    if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${res.text}`);
    return res.body;
  };
  return {
    endpoint: (number: string, behaviour: Record<string, unknown> = {}) =>
      ok('POST', '/sim/endpoints', { number, ...behaviour }),
    call: (from: string, to: string) =>
      ok('POST', '/sim/calls', { from, to }) as Promise<{ id: string; call_uuid: string }>,
    show: (id: string) => ok('GET', `/sim/calls/${id}`),
    press: (id: string, digits: string) => ok('POST', `/sim/calls/${id}/digits`, { digits }),
    hangup: (id: string) => ok('POST', `/sim/calls/${id}/hangup`),
    legPress: (leg: string, digits: string) => ok('POST', `/sim/legs/${leg}/digits`, { digits }),
    legHangup: (leg: string) => ok('POST', `/sim/legs/${leg}/hangup`),
    advance: (seconds: number) => ok('POST', '/sim/clock/advance', { seconds }),
  };
}

/** The call's record as stored, with JSON columns parsed. */
export async function record(t: TestApp, uuid: string) {
  const row = await t.app.store.db
    .selectFrom('calls')
    .selectAll()
    .where('uuid', '=', uuid)
    .executeTakeFirstOrThrow();
  return { ...row, keys_pressed: JSON.parse(row.keys_pressed), tags: JSON.parse(row.tags) };
}

export async function legsOf(t: TestApp, uuid: string) {
  return t.app.store.db
    .selectFrom('call_legs')
    .selectAll()
    .where('call_uuid', '=', uuid)
    .orderBy('started_at')
    .execute();
}

/** Creates through the Core API and returns the created object (unwrapped). */
export async function create(t: TestApp, path: string, wrap: string, body: Record<string, unknown>) {
  const res = await t.api('POST', `${path}.json`, { [wrap]: body });
  expect(res.status, res.text).toBe(201);
  return res.body[wrap];
}

/** A number on a fresh campaign with the given campaign attributes; returns the tracking number. */
export async function trackedNumber(t: TestApp, campaign: Record<string, unknown>) {
  const c = await create(t, '/campaigns', 'campaign', { name: 'c', ...campaign });
  const n = await create(t, '/numbers', 'number', { type: 'Toll-free', afid: 'pub1', cid: c.cid });
  return { campaign: c, number: n.number as string, numberId: n.id as number };
}
