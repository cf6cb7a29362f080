import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { baseUrl, horizontalOverflow, launchBrowser, openPage, PHONE, seriousA11yViolations } from './browser.js';

const PUBLIC_PAGES = [
  { path: '/', heading: 'Codeyard' },
  { path: '/login', heading: 'Log in' },
  { path: '/register', heading: 'Register' },
  { path: '/users', heading: 'Users' },
  { path: '/leaderboard', heading: 'Leaderboard' },
  { path: '/status', heading: 'Status' },
  { path: '/no/such/page', heading: 'Page not found' },
];

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('the web client, signed out', () => {
  beforeAll(async () => {
    // The longest username the API allows is on the users page, whatever else the suite created.
    const username = `w${Date.now().toString(36)}${'_'.repeat(32)}`.slice(0, 32);
    const response = await fetch(`${baseUrl()}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, email: `${username.replaceAll('_', '')}@example.com`, password: 'a long enough password' }),
    });
    expect(response.status).toBe(201);
  });

  it('shows the home page with the navigation of a visitor', async () => {
    const { page, context, expectNoProblems } = await openPage(browser);
    await page.goto('/');
    await page.getByRole('heading', { level: 1, name: 'Codeyard' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Log in' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Register' }).isVisible()).toBe(true);
    expect(await nav.getByRole('link', { name: 'API docs' }).getAttribute('href')).toBe('/docs/');
    expect(await nav.getByRole('button', { name: 'Log out' }).count()).toBe(0);
    // the three panels settle on data or their empty state
    await page.getByRole('heading', { name: 'Recent posts' }).waitFor();
    await page.getByText('Loading', { exact: false }).first().waitFor({ state: 'detached' });
    expect(await page.title()).toBe('Codeyard · Codeyard');
    expectNoProblems();
    await context.close();
  });

  it('loads a deep link cold, while unknown API paths stay JSON 404s', async () => {
    const { page, context, expectNoProblems } = await openPage(browser);
    await page.goto('/leaderboard');
    await page.getByRole('heading', { level: 1, name: 'Leaderboard' }).waitFor();
    await page.goto('/exercises/3/whatever');
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    const api = await fetch(`${baseUrl()}/api/v1/no-such-thing`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/json');
    expectNoProblems();
    await context.close();
  });

  it('asks a visitor to log in on the status page', async () => {
    const { page, context, expectNoProblems } = await openPage(browser);
    await page.goto('/status');
    await page.getByText('You must be logged in to view this.').waitFor();
    expectNoProblems();
    await context.close();
  });

  for (const { path, heading } of PUBLIC_PAGES) {
    it(`has no serious accessibility problem and fits 375 px in light and dark: ${path}`, async () => {
      for (const colorScheme of ['light', 'dark'] as const) {
        const { page, context, expectNoProblems } = await openPage(browser, PHONE, { colorScheme });
        await page.goto(path);
        await page.getByRole('heading', { level: 1, name: heading }).waitFor();
        await page.getByText('Loading', { exact: false }).first().waitFor({ state: 'detached' });
        expect(await seriousA11yViolations(page), `${path} ${colorScheme}`).toEqual([]);
        expect(await horizontalOverflow(page), `${path} ${colorScheme}`).toBe(0);
        expectNoProblems();
        await context.close();
      }
    });
  }
});

describe('the web client, signed in as the admin, at 375 px', () => {
  it('has no serious accessibility problem and nothing wider than the screen on the signed-in pages, light and dark', async () => {
    const { adminEmail, adminPassword } = inject('codeyard');
    const { page, context, expectNoProblems } = await openPage(browser, PHONE);
    await page.goto('/login');
    await page.getByLabel('Email or username').fill(adminEmail);
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('button', { name: 'Log out' }).waitFor();
    // In-app navigation keeps the in-memory session without a refresh.
    const pages = [
      { link: nav.getByRole('link', { name: 'Admin', exact: true }), heading: 'Manage users' },
      { link: nav.getByRole('link', { name: /^Messages/ }), heading: 'Messages' },
      { link: nav.getByRole('link', { name: 'admin', exact: true }), heading: 'Status' },
    ];
    for (const { link, heading } of pages) {
      await link.click();
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page.getByText('Loading', { exact: false }).first().waitFor({ state: 'detached' });
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        expect(await seriousA11yViolations(page), `${heading} ${colorScheme}`).toEqual([]);
        expect(await horizontalOverflow(page), `${heading} ${colorScheme}`).toBe(0);
      }
    }
    expectNoProblems();
    await context.close();
  });
});
