import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { SsrfGuard } from '../../src/delivery/index.js';
import { setup } from './helpers.js';

type Env = Awaited<ReturnType<typeof setup>>;
let env: Env;
afterEach(async () => env?.close());

const guard = (
  allow: string[] = [],
  resolver = async (_h: string) => [{ address: '93.184.216.34', family: 4 }],
) => new SsrfGuard({ allow, resolver, clock: new ManualClock() });

describe('SSRF guard', () => {
  it('refuses private, loopback, link-local, unique-local, CGNAT, multicast, unspecified and mapped addresses', () => {
    const g = guard();
    const refused = [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '224.0.0.1',
      '0.0.0.0',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      'fc00::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:a00:1',
      '::ffff:169.254.169.254',
      '64:ff9b::a00:1',
    ];
    for (const a of refused) expect(g.addressAllowed(a), a).toBe(false);
    for (const a of ['8.8.8.8', '93.184.216.34', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
      expect(g.addressAllowed(a), a).toBe(true);
    }
  });

  it('lets allow-listed CIDRs and host names through', async () => {
    const g = guard(['10.0.0.0/8', 'intranet.test', '.corp.test'], async () => [
      { address: '192.168.5.5', family: 4 },
    ]);
    expect(g.addressAllowed('10.9.9.9')).toBe(true);
    expect(g.addressAllowed('11.0.0.1')).toBe(true);
    await expect(g.resolve('intranet.test')).resolves.toEqual([{ address: '192.168.5.5', family: 4 }]);
    await expect(g.resolve('a.corp.test')).resolves.toHaveLength(1);
    await expect(g.resolve('evil.test')).rejects.toThrow('blocked by SSRF guard');
  });

  it('connects only to the addresses it checked', async () => {
    const g = guard([], async () => [
      { address: '10.0.0.1', family: 4 },
      { address: '93.184.216.34', family: 4 },
    ]);
    const viaLookup = await new Promise<unknown>((resolve, reject) =>
      g.lookup('mixed.test', { all: true }, (err: Error | null, addrs: unknown) =>
        err ? reject(err) : resolve(addrs),
      ),
    );
    expect(viaLookup).toEqual([{ address: '93.184.216.34', family: 4 }]);
    const single = await new Promise<unknown>((resolve) =>
      g.lookup('mixed.test', {}, (_e: unknown, a: string) => resolve(a)),
    );
    expect(single).toBe('93.184.216.34');
  });

  it('refuses deliveries to internal targets for good, sending nothing', async () => {
    const resolver = async (host: string) => [
      { address: host === 'private-name.test' ? '192.168.0.10' : '93.184.216.34', family: 4 },
    ];
    env = await setup({ allow: [], resolver });
    const urls = [
      env.rx.url('/'),
      'http://10.0.0.5/',
      'http://169.254.169.254/latest/meta-data/',
      `http://[::1]:${env.rx.port}/`,
      `http://[::ffff:127.0.0.1]:${env.rx.port}/`,
      'http://private-name.test/',
      'http://0/',
      'http://2130706433/',
    ];
    const ids = [];
    for (const url of urls)
      ids.push((await env.outbox.enqueue(env.db, { companyId: env.companyId, kind: 'pixel', url })).id);
    // "0" and "2130706433" are what URL parsing makes of 0.0.0.0 and 127.0.0.1: still refused.
    await env.worker.drain();
    expect(env.rx.hits).toHaveLength(0);
    for (const [i, id] of ids.entries()) {
      const row = await env.row(id);
      expect(row, urls[i]).toMatchObject({
        status: 'failed',
        attempts: 1,
        last_error: 'blocked by SSRF guard',
      });
    }
  });

  it('a refused primary still goes to an allowed fallback URL', async () => {
    env = await setup({ allow: ['127.0.0.1'] });
    const { id } = await env.outbox.enqueue(env.db, {
      companyId: env.companyId,
      kind: 'pixel',
      url: 'http://10.0.0.5/px',
      fallbackUrl: env.rx.url('/fallback'),
    });
    await env.worker.drain();
    expect(env.rx.hits.map((h) => h.path)).toEqual(['/fallback']);
    expect(await env.row(id)).toMatchObject({ status: 'delivered', last_status: 200 });
  });
});
