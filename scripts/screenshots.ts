// `npm run screenshots`: starts the built system, fills it with the sample data of `npm run seed`,
// and saves the main pages of the web client at desktop and phone width to docs/screenshots/
// (the README shows them). Chromium: /usr/bin/chromium (CHROMIUM_PATH to change).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { launchSystem } from '../e2e/launch.js';

const outDir = new URL('../docs/screenshots/', import.meta.url);
mkdirSync(outDir, { recursive: true });
const SAMPLE_USER = { login: 'ada_writes_code', password: process.env.SEED_USER_PASSWORD ?? 'codeyard-sample-password' };

const system = await launchSystem();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const seed = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/seed/index.ts'], {
    cwd: new URL('..', import.meta.url),
    env: { ...process.env, SEED_BASE_URL: system.baseUrl, ADMIN_EMAIL: system.adminEmail, ADMIN_PASSWORD: system.adminPassword },
    stdio: 'inherit',
  });
  if (seed.status !== 0) throw new Error('seeding failed');

  const settle = async (page: Page, heading: string) => {
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await page.getByText('Loading', { exact: false }).first().waitFor({ state: 'detached' });
  };
  for (const [device, viewport, colorScheme] of [
    ['desktop', { width: 1280, height: 800 }, 'light'],
    ['phone', { width: 375, height: 740 }, 'dark'],
  ] as const) {
    const context = await browser.newContext({ baseURL: system.baseUrl, viewport, colorScheme });
    const page = await context.newPage();
    const shoot = async (name: string) => {
      await page.screenshot({ path: new URL(`${name}-${device}.png`, outDir).pathname, fullPage: device === 'phone' });
      console.log(`docs/screenshots/${name}-${device}.png`);
    };
    await page.goto('/');
    await settle(page, 'Codeyard');
    await shoot('home');
    await page.goto('/register');
    await settle(page, 'Register');
    await shoot('register');
    await page.goto('/login');
    await page.getByLabel('Email or username').fill(SAMPLE_USER.login);
    await page.getByLabel('Password').fill(SAMPLE_USER.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: /^Messages/ }).click();
    await settle(page, 'Messages');
    await shoot('messages');
    await nav.getByRole('link', { name: SAMPLE_USER.login, exact: true }).click();
    await settle(page, 'Status');
    await shoot('status');
    await nav.getByRole('link', { name: 'Leaderboard' }).click();
    await settle(page, 'Leaderboard');
    await shoot('leaderboard');
    await nav.getByRole('link', { name: 'Communities' }).click();
    await settle(page, 'Communities');
    await page.getByRole('link', { name: 'javascript', exact: true }).click();
    await settle(page, 'javascript');
    await shoot('feed');
    const first = page.getByRole('list', { name: 'New posts in javascript' }).getByRole('listitem').first().getByRole('link').first();
    const title = (await first.textContent()) ?? '';
    await first.click();
    await settle(page, title);
    await shoot('post');
    await context.close();
  }
} finally {
  await browser.close();
  await system.stop();
}
