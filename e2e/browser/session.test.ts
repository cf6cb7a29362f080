import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, logIn, newUserDetails, openPage, registerUser } from './browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('registering, logging in and out', () => {
  it('validates the register form as you type, then registers and signs the user in', async () => {
    const { page, context, expectNoProblems } = await openPage(browser);
    const user = newUserDetails('reg');
    await page.goto('/register');
    const submit = page.getByRole('button', { name: 'Register' });
    expect(await submit.isDisabled()).toBe(true);
    await page.getByLabel('Username').fill('ab');
    await page.getByText('Username must be at least 3 characters.').waitFor();
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByText('Enter a valid email address.').waitFor();
    await page.getByLabel('Password').fill('short');
    await page.getByText('Password must be at least 8 characters.').waitFor();
    expect(await submit.isDisabled()).toBe(true);

    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    expect(await page.getByText('Password must be at least 8 characters.').count()).toBe(0);
    await submit.click();
    await page.getByText(`Welcome to Codeyard, ${user.username}!`).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: user.username }).click();
    await page.getByRole('heading', { level: 1, name: 'Status' }).waitFor();
    await page.getByText(user.email).waitFor();
    expectNoProblems();
    await context.close();
  });

  it('shows the API’s message when the username is taken', async () => {
    const taken = await registerUser('taken');
    const { page, context, allow, expectNoProblems } = await openPage(browser);
    allow(409, '/api/v1/auth/register');
    await page.goto('/register');
    await page.getByLabel('Username').fill(taken.username);
    await page.getByLabel('Email').fill(`other_${taken.email}`);
    await page.getByLabel('Password').fill('long enough password');
    const answer = page.waitForResponse((response) => response.url().endsWith('/api/v1/auth/register'));
    await page.getByRole('button', { name: 'Register' }).click();
    expect((await answer).status()).toBe(409);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('The username is already in use');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Register');
    expectNoProblems();
    await context.close();
  });

  it('logs in by username or email, refuses a wrong password with the API’s message, and logs out', async () => {
    const user = await registerUser('login');
    const { page, context, allow, expectNoProblems } = await openPage(browser);
    allow(401, '/api/v1/auth/login');
    await page.goto('/login');
    await page.getByLabel('Email or username').fill(user.email);
    await page.getByLabel('Password').fill('wrong password!');
    const refused = page.waitForResponse((response) => response.url().endsWith('/api/v1/auth/login'));
    await page.getByRole('button', { name: 'Log in' }).click();
    expect((await refused).status()).toBe(401);
    await page.getByRole('alert').waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Log in' }).isVisible()).toBe(true);

    await logIn(page, user.email, user.password, user.username);
    await page.getByText(`Welcome, ${user.username}!`).waitFor();
    await nav.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('You are logged out.').waitFor();
    await nav.getByRole('link', { name: 'Log in' }).waitFor();

    await logIn(page, user.username, user.password);
    await nav.getByRole('button', { name: 'Log out' }).waitFor();
    expectNoProblems();
    await context.close();
  });

  it('works with the keyboard alone: skip link, fields in order, Enter submits', async () => {
    const user = await registerUser('keys');
    const { page, context, expectNoProblems } = await openPage(browser);
    await page.goto('/login');
    await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.name')).toBe('login');
    await page.keyboard.type(user.username);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.name')).toBe('password');
    await page.keyboard.type(user.password);
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: user.username }).waitFor();
    expectNoProblems();
    await context.close();
  });
});
