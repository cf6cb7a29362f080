import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, logIn, openPage, registerUser, watchPage } from './browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const isRefresh = (url: string) => url.endsWith('/api/v1/auth/refresh');

describe('the session across reloads and tabs', () => {
  it('survives a reload; a second tab and a reload at the same moment both stay signed in; logout ends it', async () => {
    const user = await registerUser('keep');
    const first = await openPage(browser);
    await logIn(first.page, user.username, user.password);
    const nav = first.page.getByRole('navigation', { name: 'Main' });

    const refreshed = first.page.waitForResponse((response) => isRefresh(response.url()));
    await first.page.reload();
    expect((await refreshed).status()).toBe(200);
    await nav.getByRole('link', { name: user.username }).waitFor();

    // A deep link opened cold in a second tab while the first reloads: both refresh with the
    // rotating cookie, one after the other (Web Locks), and neither ends the session.
    const secondPage = await first.context.newPage();
    const second = watchPage(secondPage);
    const bothRefreshed = Promise.all([
      first.page.waitForResponse((response) => isRefresh(response.url())),
      secondPage.waitForResponse((response) => isRefresh(response.url())),
    ]);
    await Promise.all([secondPage.goto('/status'), first.page.reload()]);
    expect((await bothRefreshed).map((response) => response.status())).toEqual([200, 200]);
    await secondPage.getByText(user.email).waitFor();
    await secondPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: user.username }).waitFor();
    await nav.getByRole('link', { name: user.username }).waitFor();

    await nav.getByRole('button', { name: 'Log out' }).click();
    await first.page.getByText('You are logged out.').waitFor();
    await first.page.reload();
    await nav.getByRole('link', { name: 'Log in' }).waitFor();

    first.expectNoProblems();
    second.expectNoProblems();
    await first.context.close();
  });
});
