import type { Out } from './call.js';
import { type Client, client, ServerError } from './client.js';
import { commonOptions, connection, parse, USAGE, UsageError } from './usage.js';

/** What the demo sets up; fixed ids so that running it again finds and reuses what it made before. */
export const DEMO = {
  afid: 'demo',
  cid: 'demo',
  caller: '+13015550000',
  sales: { name: 'Demo sales', number: '+14155550101' },
  support: { name: 'Demo support', number: '+14155550102' },
  greeting: 'Thanks for calling the Switchboard demo. Press 1 for sales, or 2 for support.',
};

/** `switchboard demo`: a campaign to call on the simulated network, in the key's company. */
export async function demoCommand(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parse(args, { ...commonOptions });
  if (values.help) {
    out(USAGE.trimEnd());
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const { url, key } = connection(values);
  const api = client(url, key);
  const number = await setUpDemo(api, url, out);
  out('');
  out('Try it (the caller presses 1 for sales; sales answers after 2 s and hangs up 10 s later):');
  out(`  npx switchboard call ${number} --from ${DEMO.caller} --press 1`);
  out(`  (or \`npx switchboard call demo …\`; --press 2 reaches support, which is busy;`);
  out(`  --hangup-after <s> hangs the caller up sooner)`);
  return 0;
}

/** Creates (or finds) the demo's publisher, targets, phones, campaign and number; returns the number. */
export async function setUpDemo(api: Client, serverUrl: string, out: Out): Promise<string> {
  await findOr(
    () => api.get(`/affiliates/afid/${DEMO.afid}.json`),
    () =>
      api.post('/affiliates.json', {
        affiliate: { afid: DEMO.afid, first_name: 'Demo', last_name: 'Publisher', company_name: 'Demo' },
      }),
  );
  out(`publisher        afid ${DEMO.afid}`);
  const sales = await target(api, DEMO.sales);
  const support = await target(api, DEMO.support);
  // The virtual phones behind the two targets, on the simulated network.
  await api.post('/sim/endpoints', { number: DEMO.sales.number, answer_after_s: 2, hangup_after_s: 10 });
  await api.post('/sim/endpoints', { number: DEMO.support.number, busy: true });
  out(`targets          ${DEMO.sales.name} ${DEMO.sales.number} (answers after 2 s, talks 10 s)`);
  out(`                 ${DEMO.support.name} ${DEMO.support.number} (busy)`);
  const pixel = new URL('/healthz?pixel=demo', serverUrl).toString();
  await findOr(
    () => api.get(`/campaigns/cid/${DEMO.cid}.json`),
    () =>
      api.post('/campaigns.json', {
        campaign: {
          name: 'Demo campaign',
          cid: DEMO.cid,
          message: DEMO.greeting,
          menu_options_attributes: [
            { option: '1', target_ids: [sales] },
            { option: '2', target_ids: [support] },
          ],
          timers_attributes: [{ seconds: 0, url: pixel }],
        },
      }),
  );
  out(`campaign         cid ${DEMO.cid}: a spoken greeting, 1 → sales, 2 → support`);
  out(`pixel            at 0 s → ${pixel}`);
  out(`                 (the server's own /healthz: a loopback address, which the server reaches only`);
  out(`                 when it was started with DELIVERY_ALLOW naming it, e.g. DELIVERY_ALLOW=127.0.0.1)`);
  const existing = await api.get<{ number: { number: string } }[]>(`/numbers.json?cid=${DEMO.cid}`);
  const number =
    existing[0]?.number.number ??
    (await api.post<{ number: { number: string } }>('/numbers.json', {
      number: { afid: DEMO.afid, cid: DEMO.cid },
    }))!.number.number;
  out(`tracking number  ${number}`);
  return number;
}

async function target(api: Client, t: { name: string; number: string }): Promise<number> {
  for (let page = 1; page <= 40; page++) {
    const some = await api.get<{ target: { id: number; number: string } }[]>(`/targets.json?page=${page}`);
    const found = some.find((x) => x.target.number === t.number);
    if (found) return found.target.id;
    if (some.length < 25) break;
  }
  const made = await api.post<{ target: { id: number } }>('/targets.json', {
    target: { name: t.name, number: t.number },
  });
  return made.target.id;
}

/** The object if it is there (200), else what `make` creates; other failures stop the demo. */
async function findOr<T>(find: () => Promise<T>, make: () => Promise<T>): Promise<T> {
  try {
    return await find();
  } catch (err) {
    if (err instanceof ServerError && err.status === 404) return make();
    throw err;
  }
}

/** `switchboard call demo …`: the demo campaign's tracking number, so the README's lines work as written. */
export async function demoNumber(api: Client): Promise<string> {
  const numbers = await api.get<{ number: { number: string } }[]>(`/numbers.json?cid=${DEMO.cid}`);
  if (!numbers[0]) throw new UsageError('no demo number yet: run `switchboard demo` first');
  return numbers[0].number.number;
}
