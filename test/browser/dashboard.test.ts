import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { CALL_CONTROL_ACTIONS, type KeyScope } from '../../src/domain/call-control.js';
import { ROOT } from '../helpers/server.js';

/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core, against one server (SQLite
 * in memory, the manual clock so calls are exact) for the whole file. Runs once in CI: skipped in the
 * PostgreSQL pass, where it would only repeat itself. Flags and set-up: DEVELOPERS.md.
 * Each main page is saved to docs/screenshots/ (named in the README).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'docs', 'screenshots');
const KEY = 'browser-test-key';

let app: App;
let clock: ManualClock;
let base: string;
let browser: Browser;
const problems: string[] = [];
/** HTTP statuses a step provokes on purpose (a wrong key, a bad field): chromium logs them as errors. */
const provoked = new Set<number>();

async function api(method: string, url: string, body?: unknown) {
  const res = await app.http.inject({
    method: method as 'GET',
    url,
    headers: { authorization: `Bearer ${KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    payload: body ? JSON.stringify(body) : undefined,
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode} ${res.body}`);
  return res.json();
}

/** A new tab with its console watched: any error or uncaught exception fails the last test. */
async function newPage(width = 1280, height = 860): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height } });
  page.setDefaultTimeout(15_000);
  page.on('console', (m) => {
    const status = /the server responded with a status of (\d+)/.exec(m.text());
    if (status && provoked.has(Number(status[1]))) return;
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return page;
}

async function signIn(page: Page) {
  await page.goto(`${base}/`);
  await page.getByLabel('API key').fill(KEY);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main menu' }).waitFor();
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

/** Picks an option of a Mantine Select or MultiSelect by the field's label. */
async function pick(page: Page, label: string, option: string) {
  await page.getByRole('combobox', { name: label, exact: true }).first().click();
  await page.getByRole('option', { name: option }).first().click();
  // A MultiSelect keeps its list open (Escape would close the whole dialog): click the dialog's title.
  const title = page.getByRole('dialog').getByRole('heading').first();
  if (await title.count()) await title.click();
}

describe.skipIf(!!process.env.DATABASE_URL)('dashboard in a browser', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    // CI builds everything before the suite; a developer's stale web/dist/ is rebuilt here (a few seconds).
    const build = spawnSync(process.execPath, ['scripts/build.mjs', '--web', '--if-stale'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (build.status !== 0) throw new Error('the dashboard did not build');
    if (!existsSync(CHROMIUM))
      throw new Error(`no chromium at ${CHROMIUM}: apt-get install chromium (DEVELOPERS.md)`);
    mkdirSync(SHOTS, { recursive: true });
    clock = new ManualClock(Date.now());
    const config = loadConfig({
      DATA_DIR: '/nonexistent',
      SWITCHBOARD_API_KEY: KEY,
      RATE_LIMIT_PER_MINUTE: '0',
      DELIVERY_ALLOW: '127.0.0.1',
    });
    app = await buildApp({ config, clock, logger: false, sqliteFileOverride: ':memory:' });
    base = await app.http.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    await api('POST', '/affiliates.json', { affiliate: { afid: 'pub1', company_name: 'Acme Media' } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  let page: Page;
  const failShot = () =>
    onTestFailed(async ({ task }) => {
      await page?.screenshot({
        path: `/tmp/dashboard-failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}.png`,
      });
    });

  it('signs in with a Core API key (a wrong one is refused) and keeps it out of the URL', async () => {
    page = await newPage();
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shot(page, 'sign-in');
    provoked.add(401);
    await page.getByLabel('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That key is not valid.').waitFor();
    provoked.delete(401);
    await page.getByLabel('API key').fill(KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Live' }).waitFor();
    expect(page.url()).not.toContain(KEY);
    expect(await page.evaluate(() => sessionStorage.getItem('switchboard.apiKey'))).toBe(KEY);
  });

  it('walks the main menu with the keyboard alone', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Live' }).waitFor();
    const reached: string[] = [];
    for (let i = 0; i < 12 && reached.length < 5; i++) {
      await page.keyboard.press('Tab');
      const label = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el?.closest('nav') ? el.textContent?.trim() : null;
      });
      if (label && !reached.includes(label)) reached.push(label);
    }
    expect(reached).toEqual(['Live', 'Configure', 'Call log', 'Test phone', 'Reports']);
    // Shift+Tab back to Configure, Enter opens it.
    for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Configure');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Configure' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/configure');
  });

  it('shows the API validation error beside the field, then creates a target', async () => {
    failShot();
    await page.goto(`${base}/configure/targets`);
    await page.getByRole('button', { name: 'New target' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Solar buyer');
    await dialog.getByRole('textbox', { name: 'Number', exact: true }).fill('not a number');
    provoked.add(400);
    await dialog.getByRole('button', { name: 'Create target' }).click();
    const number = dialog.getByRole('textbox', { name: 'Number', exact: true });
    await dialog.getByText('is not a valid phone number or SIP URI').waitFor();
    expect(await number.getAttribute('aria-invalid')).toBe('true');
    // The message is the field's own description (read out with it), not a banner elsewhere.
    const described = (await number.getAttribute('aria-describedby')) ?? '';
    const texts = await Promise.all(
      described
        .split(' ')
        .filter(Boolean)
        .map((id) => page.locator(`[id="${id}"]`).textContent()),
    );
    expect(texts.join(' ')).toContain('is not a valid phone number or SIP URI');
    await number.scrollIntoViewIfNeeded();
    await shot(page, 'configure-validation-error');

    provoked.delete(400);
    await number.fill('+14155550123');
    await dialog.getByRole('textbox', { name: 'Daily cap' }).fill('50');
    await dialog.getByRole('button', { name: 'Create target' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page
      .getByRole('cell', { name: /Solar buyer/ })
      .first()
      .waitFor();
    await page.getByText('Daily: 0 / 50').waitFor();
    await shot(page, 'configure-targets');
  });

  it('creates a campaign whose menu key 1 reaches the target and that fires a pixel', async () => {
    failShot();
    await page.goto(`${base}/configure/campaigns`);
    await page.getByRole('button', { name: 'New campaign' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Solar leads');
    await dialog.getByLabel('Campaign id (cid)').fill('solar');
    await dialog
      .getByRole('textbox', { name: 'Greeting', exact: true })
      .fill('Thanks for calling Solar. Connecting you now.');
    await dialog.getByRole('button', { name: 'Add an option' }).click();
    await pick(page, 'Targets', 'Solar buyer');
    await dialog.getByRole('button', { name: 'Add a pixel' }).click();
    await dialog.getByLabel('URL').fill(`${base}/healthz?caller=[caller_id]`);
    await shot(page, 'configure-campaign-form');
    await dialog.getByRole('button', { name: 'Create campaign' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page
      .getByRole('cell', { name: /Solar leads/ })
      .first()
      .waitFor();
  });

  it('adds a conversion rule to the campaign', async () => {
    await page.goto(`${base}/configure/conversion-rules`);
    await page.getByRole('combobox', { name: 'Campaign' }).waitFor();
    await page.getByRole('button', { name: 'New conversion rule' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Connected at least (s)' }).fill('20');
    await dialog.getByRole('textbox', { name: 'Revenue ($)' }).fill('25');
    await dialog.getByRole('textbox', { name: 'Payout ($)' }).fill('10');
    await dialog.getByRole('button', { name: 'Create conversion rule' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('cell', { name: '25', exact: true }).waitFor();
  });

  it('creates a tracking number for the campaign and the publisher', async () => {
    failShot();
    await page.goto(`${base}/configure/numbers`);
    await page.getByText('No numbers yet').waitFor();
    await page.getByRole('button', { name: 'New number' }).click();
    const dialog = page.getByRole('dialog');
    await pick(page, 'Campaign', 'Solar leads (solar)');
    await pick(page, 'Publisher', 'Acme Media (pub1)');
    await dialog.getByRole('button', { name: 'Create number' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('cell', { name: 'solar', exact: true }).waitFor();
    await shot(page, 'configure-numbers');
  });

  it('creates a CCAI key whose secret is shown once and which then works on the CCAI face', async () => {
    failShot();
    await page.goto(`${base}/configure/ccai-keys`);
    await page.getByRole('button', { name: 'New CCAI key' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Create CCAI key' }).click();
    const shown = await page.getByText(/^key \S+ · secret \S+$/).textContent();
    const [, key, , , secret] = String(shown).split(' ');
    const basic = Buffer.from(`${key}:${secret}`).toString('base64');
    const res = await fetch(`${base}/apps/api/v1/agents`, { headers: { authorization: `Basic ${basic}` } });
    expect(res.status).toBe(200);
  });

  it('places a test call that is on the Live board while it lasts, then in the call log with legs and pixels', async () => {
    failShot();
    const phone = await newPage();
    await signIn(phone);
    await phone.getByRole('navigation').getByRole('link', { name: 'Test phone' }).click();
    // The target's virtual phone answers 10 s (of the manual clock) after it starts ringing.
    await pick(phone, 'Target', 'Solar buyer · +14155550123');
    await phone.getByRole('textbox', { name: 'Answers after (s)' }).fill('10');
    await phone.getByRole('button', { name: 'Save behaviour' }).click();
    await phone.getByText('+14155550123 will answer after 10 s.').waitFor();

    await page.goto(`${base}/`);
    await page.getByText('No calls right now').waitFor();
    await page.getByText('Live', { exact: true }).first().waitFor();

    await phone.getByRole('button', { name: 'Call' }).click();
    await phone.getByTestId('hearing').filter({ hasText: 'Thanks for calling Solar' }).waitFor();

    const row = page.locator('tr[data-call]');
    await row.filter({ hasText: '+13015550000' }).waitFor();
    await row.filter({ hasText: 'Solar leads' }).filter({ hasText: 'pub1' }).waitFor();
    await row.getByText('Greeting / menu').waitFor();
    // The caller presses 1, the target rings, and answers when the clock has moved 10 s.
    await phone.getByRole('button', { name: 'Key 1' }).click();
    await row.getByText('Ringing +14155550123').waitFor();
    await phone.getByTestId('hearing').filter({ hasText: 'Ringing' }).waitFor();
    await api('POST', '/sim/clock/advance', { seconds: 10 });
    await row.getByText('Connected').waitFor();
    await phone.getByTestId('hearing').filter({ hasText: 'Talking with +14155550123' }).waitFor();
    await page.getByLabel('Calls now: 1').waitFor();
    await page
      .getByRole('region', { name: /Timeline of the call/ })
      .getByText('+14155550123: answered')
      .waitFor();
    await shot(page, 'live');
    await shot(phone, 'test-phone');

    // The agent records the next 30 s through call control (RingCentral's party recordings use this port).
    const uuid = String(await row.first().getAttribute('data-call'));
    const { company_id } = (await api('GET', `/api/v3/calls/${uuid}.json`)).call;
    await app.engine.parties.record(company_id, uuid, 'start');

    // The agent transfers with the caller on hold, then conferences the caller in: the board shows the
    // conference as the call's state, with who is on it.
    const [{ target }] = await api('GET', '/targets.json');
    const scope: KeyScope = {
      keyId: 1,
      companyId: company_id,
      targetId: target.id,
      targetGroupId: null,
      targetIds: [target.id],
      numbers: [target.number],
      actions: [...CALL_CONTROL_ACTIONS],
      returnTimeoutSeconds: 60,
    };
    const { transferUuid } = await app.engine.callControl.transfer(uuid, scope, {
      holdCaller: true,
      transferTo: '+14155550188',
    });
    await row.getByText('On hold').waitFor();
    await api('POST', '/sim/clock/advance', { seconds: 3 });
    await app.engine.callControl.conferenceCaller(transferUuid, scope);
    await row.getByText('Conference (3)').waitFor();
    const participants = page
      .getByRole('region', { name: /Timeline of the call/ })
      .getByLabel('Conference participants');
    await participants.getByText('Caller +13015550000').waitFor();
    await participants.getByText('+14155550188').waitFor();
    await shot(page, 'live-conference');
    await api('POST', '/sim/clock/advance', { seconds: 30 });
    await phone.getByRole('button', { name: 'Hang up' }).click();
    await phone.getByTestId('hearing').filter({ hasText: 'The call has ended' }).waitFor();
    await phone.getByTestId('outcome').filter({ hasText: 'Ended: finished, hung up by caller' }).waitFor();
    await page.getByText('No calls right now').waitFor();
    await page.getByText('Just ended').waitFor();
    await phone.close();

    await page.getByRole('navigation').getByRole('link', { name: 'Call log' }).click();
    // The caller's call (the transfer made a second, downstream call from the same caller).
    const logged = page.locator(`tr[data-call="${uuid}"]`);
    await logged.waitFor();
    await logged.getByText('finished').waitFor();
    await shot(page, 'call-log');
    await logged.getByRole('link').click();
    await page.getByRole('heading', { name: 'Call from +13015550000' }).waitFor();
    const legs = page.getByRole('table', { name: 'Legs' });
    await legs.getByText('Caller').waitFor();
    await legs.getByText('+14155550123').waitFor();
    const pixels = page.getByRole('table', { name: 'Pixels and webhooks' });
    await pixels.getByText('/healthz?caller=%2B13015550000').waitFor();
    await pixels.getByText('fired', { exact: true }).waitFor();
    await page.getByText('converted', { exact: true }).waitFor();
    const journey = page.getByRole('region', { name: 'Journey' });
    await journey.getByText('Dialled +14155550123').waitFor();
    await journey.getByText('+14155550123 ringing').waitFor();
    await journey.getByText('Connected', { exact: true }).waitFor();
    await journey.getByText('Recording started').waitFor();
    // The recording player loads the WAV (fetched with the key in a header) and knows its length.
    const player = page.getByRole('region', { name: 'Recording' }).getByLabel('Call recording');
    await player.waitFor();
    await page.waitForFunction(() => {
      const a = document.querySelector('audio[aria-label="Call recording"]') as HTMLAudioElement | null;
      return !!a && a.readyState >= 1 && Math.round(a.duration) === 33; // 3 s of transfer, then 30 s
    });
    expect(await player.getAttribute('src')).toMatch(/^blob:/);
    await shot(page, 'call-detail');
    // Two pages, a whole call and a recording: on a loaded machine this takes more than a minute.
  }, 150_000);

  it('draws a report as a chart and a table', async () => {
    failShot();
    await page.getByRole('navigation').getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    await page.locator('figure .recharts-surface').first().waitFor();
    await page
      .getByRole('table', { name: 'Report rows' })
      .getByRole('cell', { name: '1', exact: true })
      .first()
      .waitFor();
    await shot(page, 'reports');
    await page.getByText('Publisher', { exact: true }).click();
    await page.getByRole('table', { name: 'Report rows' }).getByText('Acme Media').waitFor();
    expect(await page.locator('figure .recharts-bar-rectangle').count()).toBeGreaterThan(0);
  });

  it('keeps contacts and static caller numbers, with the API’s errors beside their fields', async () => {
    failShot();
    await page.goto(`${base}/configure/contacts`);
    await page.getByText('No contacts yet').waitFor();
    await page.getByRole('button', { name: 'New contact' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Number', exact: true }).fill('nope');
    await dialog.getByRole('textbox', { name: 'Tags' }).fill('vip:yes');
    provoked.add(422);
    provoked.add(400);
    await dialog.getByRole('button', { name: 'Create contact' }).click();
    // The nested number's message shows under the numbers editor, naming the row.
    await dialog.getByText('0.number is not a valid phone number or SIP URI').waitFor();
    await dialog.getByRole('textbox', { name: 'Number', exact: true }).fill('+13015550177');
    await dialog.getByRole('textbox', { name: 'Description' }).fill('Mobile');
    await dialog.getByRole('button', { name: 'Create contact' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('table', { name: 'Contacts' }).getByText('+13015550177').waitFor();
    await page.getByRole('table', { name: 'Contacts' }).getByText('vip:yes').waitFor();
    await shot(page, 'configure-contacts');

    await page.goto(`${base}/configure/static-caller-numbers`);
    await page.getByRole('button', { name: 'New static caller number' }).click();
    const field = dialog.getByRole('textbox', { name: 'Caller number' });
    await field.fill('12');
    await dialog.getByRole('button', { name: 'Create static caller number' }).click();
    await dialog.getByText('is not a valid phone number').waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await field.fill('+18005550199');
    await dialog.getByRole('button', { name: 'Create static caller number' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('cell', { name: '+18005550199', exact: true }).waitFor();
    await shot(page, 'configure-static-callers');
  });

  it('sets the company’s name and time zone; an unknown zone is refused beside the field', async () => {
    failShot();
    await page.goto(`${base}/configure/company`);
    const zone = page.getByRole('combobox', { name: 'Time zone' });
    await zone.fill('Mars/Olympus');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('"Mars/Olympus" is not a supported time zone').waitFor();
    expect(await zone.getAttribute('aria-invalid')).toBe('true');
    await zone.fill('Pacific Time (US & Canada)');
    await page.getByRole('textbox', { name: 'Default click URL' }).fill('https://tracker.example/click');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await shot(page, 'configure-company');
    const { company } = await api('GET', '/company.json');
    expect(company).toMatchObject({
      time_zone: 'Pacific Time (US & Canada)',
      default_click_url: 'https://tracker.example/click',
    });
    provoked.delete(422);
    provoked.delete(400);
  });

  it('switches between the companies a key reaches', async () => {
    await api('POST', '/companies.json', { company: { name: 'Second Co' } });
    await page.goto(`${base}/configure/targets`);
    await page
      .getByRole('cell', { name: /Solar buyer/ })
      .first()
      .waitFor();
    await page.getByRole('combobox', { name: 'Company' }).click();
    await page.getByRole('option', { name: 'Second Co' }).click();
    await page.getByText('No targets yet').waitFor();
    await page.getByRole('combobox', { name: 'Company' }).click();
    await page.getByRole('option', { name: 'Switchboard' }).click();
    await page
      .getByRole('cell', { name: /Solar buyer/ })
      .first()
      .waitFor();
  });

  it('fits a phone screen', async () => {
    const small = await newPage(390, 844);
    await signIn(small);
    await small.getByRole('button', { name: 'Toggle menu' }).click();
    await small.getByRole('link', { name: 'Call log' }).click();
    await small.getByRole('heading', { name: 'Call log' }).waitFor();
    await small.locator('tr[data-call]').first().waitFor();
    await shot(small, 'call-log-phone');
    // The filters fold away on a phone, behind a button.
    await small.getByRole('button', { name: 'Filters' }).click();
    await small.getByRole('textbox', { name: 'Caller' }).waitFor();
    await small.close();
  });

  it('logged no error in the browser console', () => {
    expect(problems).toEqual([]);
  });
});
