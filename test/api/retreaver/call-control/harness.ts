import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { callControlFace } from '../../../../src/api/retreaver/call-control/plugin.js';
import type { CoreApp } from '../../../../src/api/retreaver/core/plugin.js';
import { rewriteUrl } from '../../../../src/api/retreaver/format.js';
import {
  type CallControl,
  type CallControlCode,
  CallControlError,
  type KeyScope,
} from '../../../../src/domain/call-control.js';
import { createTestApp, type TestApp, type TestResponse } from '../../../helpers/app.js';

/** One call the fake received. */
export interface Received {
  method: keyof CallControl;
  id: string;
  scope: KeyScope;
  req?: { holdCaller: boolean; transferTo: string };
}

/** An in-memory CallControl: records every call, throws a chosen reason, or waits on a gate. */
export class FakeCallControl implements CallControl {
  readonly received: Received[] = [];
  failWith: CallControlCode | undefined;
  gate: Promise<void> | undefined;
  private seq = 0;

  private async record(r: Received): Promise<void> {
    this.received.push(r);
    if (this.gate) await this.gate;
    if (this.failWith) throw new CallControlError(this.failWith);
  }
  async transfer(callUuid: string, scope: KeyScope, req: { holdCaller: boolean; transferTo: string }) {
    await this.record({ method: 'transfer', id: callUuid, scope, req });
    return { transferUuid: `00000000-0000-4000-8000-${String(++this.seq).padStart(12, '0')}` };
  }
  async conferenceCaller(transferUuid: string, scope: KeyScope) {
    await this.record({ method: 'conferenceCaller', id: transferUuid, scope });
  }
  async stopTransfer(transferUuid: string, scope: KeyScope) {
    await this.record({ method: 'stopTransfer', id: transferUuid, scope });
  }
  async returnCall(callUuid: string, scope: KeyScope) {
    await this.record({ method: 'returnCall', id: callUuid, scope });
  }
  async acceptCall(callUuid: string, scope: KeyScope) {
    await this.record({ method: 'acceptCall', id: callUuid, scope });
  }
}

export interface CcHarness {
  t: TestApp;
  fake: FakeCallControl;
  /** The call-control plugin alone, on the test app's database and clock. */
  cc: CoreApp;
  /** A request against the isolated plugin; `path` is under /call_control/v1. */
  call(method: string, path: string, opts?: CcRequest): Promise<TestResponse>;
  target(number?: string): Promise<number>;
  group(targetIds: number[]): Promise<number>;
  /** Creates a key through the Core API; returns its plain key and id. */
  key(body: Record<string, unknown>): Promise<{ key: string; id: number }>;
  close(): Promise<void>;
}

export interface CcRequest {
  key?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export async function ccHarness(): Promise<CcHarness> {
  const t = await createTestApp();
  const fake = new FakeCallControl();
  const cc = Fastify({
    logger: false,
    rewriteUrl,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true },
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as CoreApp;
  await callControlFace(cc, {
    keys: t.app.services.callControlKeys,
    callControl: fake,
    db: t.app.store.db,
    clock: t.clock,
  });
  await cc.ready();

  const call: CcHarness['call'] = async (method, path, opts = {}) => {
    const u = new URL(`/call_control/v1${path}`, 'http://switchboard.test');
    if (opts.key !== undefined) u.searchParams.set('api_key', opts.key);
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    let payload = opts.rawBody;
    if (payload === undefined && opts.body !== undefined) {
      payload = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await cc.inject({ method: method as any, url: u.pathname + u.search, headers, payload });
    const json = String(res.headers['content-type'] ?? '').includes('json') && res.body;
    return {
      status: res.statusCode,
      headers: res.headers,
      body: json ? JSON.parse(res.body) : res.body,
      text: res.body,
    };
  };
  let n = 0;
  const target = async (number?: string) => {
    const res = await t.api('POST', '/targets.json', {
      target: { number: number ?? `+1416555${String(1000 + ++n)}` },
    });
    if (res.status !== 201) throw new Error(`target: ${res.text}`);
    return res.body.target.id as number;
  };
  const group = async (targetIds: number[]) => {
    const res = await t.api('POST', '/target_groups.json', {
      target_group: { name: `g${++n}`, target_ids: targetIds },
    });
    if (res.status !== 201) throw new Error(`group: ${res.text}`);
    return res.body.target_group.id as number;
  };
  const key = async (body: Record<string, unknown>) => {
    const res = await t.api('POST', '/call_control_keys.json', { call_control_key: body });
    if (res.status !== 201) throw new Error(`key: ${res.text}`);
    return { key: res.body.call_control_key.key as string, id: res.body.call_control_key.id as number };
  };
  return {
    t,
    fake,
    cc,
    call,
    target,
    group,
    key,
    async close() {
      await cc.close();
      await t.close();
    },
  };
}

/** Inserts a call row as the engine would have written it (only what active_calls reads matters). */
export async function insertCall(
  t: TestApp,
  row: {
    companyId?: number;
    status?: string;
    caller: string;
    callerNumberSent?: string | null;
    targetId?: number | null;
    dialedNumber?: string | null;
    startTime: number;
    forwardedTime?: number | null;
    uuid?: string;
  },
): Promise<string> {
  const uuid = row.uuid ?? randomUUID();
  const zero = Object.fromEntries(
    [
      'ivr_duration',
      'hold_duration',
      'dialed_call_duration',
      'total_duration',
      'repeat',
      'affiliate_repeat',
      'number_repeat',
      'duplicate',
      'payable_duplicate',
      'receivable_duplicate',
      'connected',
      'billable_minutes',
      'converted',
      'payable',
      'receivable',
      'rescued',
    ].map((k) => [k, 0]),
  );
  await t.app.store.db
    .insertInto('calls')
    .values({
      ...(zero as any),
      uuid,
      company_id: row.companyId ?? t.companyId,
      status: row.status ?? 'in-progress',
      caller: row.caller,
      caller_number_sent: row.callerNumberSent ?? null,
      number: '+18005550100',
      target_id: row.targetId ?? null,
      dialed_number: row.dialedNumber ?? null,
      start_time: row.startTime,
      forwarded_time: row.forwardedTime ?? null,
      keys_pressed: '',
      tags: '{}',
      downstream_call_uuids: '[]',
      via: 'test',
      charge_total: 0,
      created_at: row.startTime,
      updated_at: row.startTime,
    })
    .execute();
  return uuid;
}
