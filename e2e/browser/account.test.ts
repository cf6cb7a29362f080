import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, logIn, newUserDetails, openPage, registerUser } from './browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('the status page', () => {
  it('changes the email and the password; the new password logs in', async () => {
    const user = await registerUser('acct');
    const { page, context, expectNoProblems } = await openPage(browser);
    await logIn(page, user.username, user.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: user.username }).click();
    await page.getByText(user.email).waitFor();
    const newEmail = `new_${user.email}`;
    await page.getByLabel('New email').fill(newEmail);
    await page.getByRole('button', { name: 'Save email' }).click();
    await page.getByText(`Your email is now ${newEmail}.`).waitFor();

    const newPassword = `${user.password}-2`;
    await page.getByLabel('Current password').fill(user.password);
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed.').waitFor();

    const fresh = await openPage(browser);
    await logIn(fresh.page, newEmail, newPassword, user.username);
    fresh.expectNoProblems();
    await fresh.context.close();
    expectNoProblems();
    await context.close();
  });

  it('deactivates the account: the user is logged out and cannot log in again', async () => {
    const user = await registerUser('leaver');
    const { page, context, allow, expectNoProblems } = await openPage(browser);
    await logIn(page, user.username, user.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: user.username }).click();
    await page.getByRole('button', { name: 'Deactivate my account…' }).click();
    await page.getByRole('button', { name: 'Yes, deactivate my account' }).click();
    await page.getByText('Your account is deactivated.').waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log in' }).waitFor();

    allow(403, '/api/v1/auth/login');
    await page.goto('/login');
    await page.getByLabel('Email or username').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    const refused = page.waitForResponse((response) => response.url().endsWith('/api/v1/auth/login'));
    await page.getByRole('button', { name: 'Log in' }).click();
    expect((await refused).status()).toBe(403);
    await page.getByRole('alert').waitFor();
    expectNoProblems();
    await context.close();
  });
});

describe('administration', () => {
  it('lets the admin add a user and deactivate them', async () => {
    const { adminEmail, adminPassword } = inject('codeyard');
    const { page, context, expectNoProblems } = await openPage(browser);
    await page.goto('/login');
    await page.getByLabel('Email or username').fill(adminEmail);
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Admin', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Manage users' }).waitFor();

    const added = newUserDetails('added');
    await page.getByLabel('Username').fill(added.username);
    await page.getByLabel('Email').fill(added.email);
    await page.getByLabel('Password').fill(added.password);
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByText(`User ${added.username} added.`).waitFor();
    const row = page.getByRole('row').filter({ hasText: added.username });
    await row.getByText('active', { exact: true }).waitFor();
    await row.getByRole('button', { name: `Deactivate ${added.username}` }).click();
    await row.getByText('deactivated', { exact: true }).waitFor();
    expectNoProblems();
    await context.close();
  });

  it('shows the admin page to nobody else', async () => {
    const user = await registerUser('plain');
    const { page, context, expectNoProblems } = await openPage(browser);
    await page.goto('/admin/users');
    await page.getByText('You must be logged in to view this.').waitFor();
    await logIn(page, user.username, user.password);
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin', exact: true }).count()).toBe(0);
    expectNoProblems();
    await context.close();
  });
});
