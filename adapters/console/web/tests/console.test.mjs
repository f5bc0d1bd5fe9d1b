// The console in a real browser (Debian's chromium through playwright-core),
// against a seatide the Go test TestConsoleInBrowser started on the
// simulator. It walks what a community does: sign up, get approved, create
// the server, watch it come up, see players, stop, start, delete, read
// backups, history and money; and it checks that a member cannot reach the
// admin pages. Every page gets a screenshot and an axe-core check.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';

const base = process.env.SEATIDE_URL;
const sim = process.env.SEATIDE_SIM_URL;
const shots = process.env.SEATIDE_SHOTS || path.resolve('test-output');
const axeSource = fs.readFileSync(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const slow = { timeout: 30_000 };

let browser;
before(async () => {
  assert.ok(base, 'SEATIDE_URL is not set: run this through `go test ./app -run TestConsoleInBrowser`');
  fs.mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});
after(async () => browser && browser.close());

async function newPage(locale = 'en-US') {
  const ctx = await browser.newContext({ locale, viewport: { width: 1100, height: 800 } });
  return watch(await ctx.newPage());
}

// watch accepts the page's confirm dialogs and collects its script errors.
function watch(page) {
  page.on('dialog', (d) => d.accept());
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  return page;
}

// check saves a screenshot of the page and fails on serious or critical
// accessibility violations.
async function check(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], `axe on ${name}`);
  assert.deepEqual(page.errors, [], `script errors on ${name}`);
}

async function signIn(page, username, password) {
  await page.goto(base + '/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Status' }).waitFor(slow);
}

async function go(page, name) {
  await page.getByRole('navigation').getByRole('link', { name }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor(slow);
}

const state = (page) => page.getByTestId('state');

test('a community session, end to end', async () => {
  const admin = await newPage();
  await admin.goto(base + '/');
  await admin.getByRole('heading', { name: 'Sign in' }).waitFor(slow);
  await check(admin, 'sign-in');

  // A newcomer signs up.
  const alex = await newPage();
  await alex.goto(base + '/');
  await alex.getByRole('button', { name: 'New here? Create an account' }).click();
  await alex.getByLabel('Username').fill('alex');
  await alex.getByLabel('Email').fill('alex@example.com');
  await alex.getByLabel('Password').fill('alex-password');
  await alex.getByRole('button', { name: 'Create account' }).click();
  await alex.getByText('Account created.').waitFor(slow);
  await check(alex, 'sign-up');

  // The admin approves (when the server asks for approval).
  await signIn(admin, 'admin', 'admin-password');
  await go(admin, 'Users');
  await admin.locator('[data-user="alex"]').waitFor(slow);
  const approve = admin.locator('[data-user="alex"] [data-do="approve"]');
  if (await approve.count()) {
    await approve.click();
    await approve.waitFor({ state: 'detached', ...slow });
  }
  await check(admin, 'users');

  await signIn(alex, 'alex', 'alex-password');
  assert.equal(await alex.getByRole('link', { name: 'Users' }).count(), 0, 'a member sees no Users link');
  await check(alex, 'status-empty');

  // new -> the steps -> Running.
  await alex.getByRole('button', { name: 'Create server' }).click();
  await alex.getByText('Progress').waitFor(slow);
  await state(alex).filter({ hasText: 'Running' }).waitFor(slow);
  await alex.getByTestId('op-state').filter({ hasText: 'Done' }).waitFor(slow);

  // Players appear, set through the simulator.
  const res = await fetch(sim + '/_sim/minecraft', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ Up: true, MOTD: '§aSea§rTide', Version: '1.20.1', MaxPlayers: 20,
      Players: [{ Name: 'Steve', Id: '8667ba71-b85a-4004-af54-457a9734eed7' }] }),
  });
  assert.ok(res.status < 300, `simulator answered ${res.status}`);
  await alex.getByTestId('players').getByText('Steve').waitFor(slow);
  await check(alex, 'status');

  // Members may not stop, start or delete: the buttons say why.
  assert.ok(await alex.getByRole('button', { name: 'Stop' }).isDisabled(), 'a member cannot press Stop');
  await alex.getByText('Permission denied.').first().waitFor(slow);

  // stop -> start -> delete by the admin; the member's page follows live.
  await go(admin, 'Status');
  await admin.getByRole('button', { name: 'Stop' }).click();
  await state(admin).filter({ hasText: 'Stopped' }).waitFor(slow);
  await state(alex).filter({ hasText: 'Stopped' }).waitFor(slow);
  await admin.getByRole('button', { name: 'Start' }).click();
  await state(admin).filter({ hasText: 'Running' }).waitFor(slow);
  await admin.getByRole('button', { name: 'Delete' }).click();
  // With the world on, a delete saves and snapshots it first: longer.
  await state(admin).filter({ hasText: 'No server' }).waitFor({ timeout: 120_000 });
  await state(alex).filter({ hasText: 'No server' }).waitFor(slow);
  // A disabled button says why.
  await admin.getByText('Not possible while the server is No server.').first().waitFor(slow);

  await go(alex, 'Backups');
  await check(alex, 'backups');

  // History is the admins' (a member has no History link).
  assert.equal(await alex.getByRole('link', { name: 'History' }).count(), 0, 'a member sees no History link');
  await go(admin, 'History');
  const history = admin.getByTestId('history');
  for (const action of ['create', 'start', 'stop', 'delete']) await history.getByRole('cell', { name: action, exact: true }).first().waitFor(slow);
  await admin.getByLabel('Action').selectOption('stop');
  await history.getByRole('cell', { name: 'start', exact: true }).first().waitFor({ state: 'detached', ...slow });
  await history.getByRole('cell', { name: 'stop', exact: true }).first().waitFor(slow);
  await check(admin, 'history');

  await go(alex, 'Money');
  await alex.getByTestId('spend-chart').locator('canvas').first().waitFor(slow);
  await check(alex, 'money');

  await go(alex, 'API tokens');
  await check(alex, 'tokens');

  // A member cannot see the admin pages, even by URL.
  await alex.goto(base + '/settings');
  await alex.getByText('You may not see this page.').waitFor(slow);

  await go(admin, 'Settings');
  await admin.getByTestId('settings').waitFor(slow);
  const settings = await admin.getByTestId('settings').textContent();
  assert.ok(settings.includes('(hidden)') && !settings.includes('admin-password'), 'settings hide secrets');
  await check(admin, 'settings');

  // zh-CN by the browser's language.
  const zh = await newPage('zh-CN');
  await zh.goto(base + '/');
  await zh.getByRole('heading', { name: '登录' }).waitFor(slow);
  await check(zh, 'sign-in-zh');
});

test('an ended session and a second tab recover without a reload', async () => {
  const page = await newPage();
  await signIn(page, 'admin', 'admin-password');
  // The session ends (expired, or signed out in another tab): the next
  // request says so and shows the sign-in form.
  await page.context().clearCookies();
  // The page notices at its next request: its own refresh, or this click
  // (when the refresh did not come first and take the menu away).
  await page.getByRole('link', { name: 'History' }).click({ timeout: 2000 }).catch(() => {});
  await page.getByText('Your session has ended. Sign in again.').waitFor(slow);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill('admin-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation').waitFor(slow);

  // A second tab of the same session sees the same server.
  const second = watch(await page.context().newPage());
  await second.goto(base + '/');
  await second.getByRole('heading', { name: 'Status' }).waitFor(slow);
  // A phone-sized screen still shows the state and the buttons.
  await second.setViewportSize({ width: 360, height: 740 });
  await second.getByTestId('state').waitFor(slow);
  await check(second, 'status-phone');
});
