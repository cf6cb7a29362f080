import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, logIn, openPage, registerUser } from './browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('messages between two users, each in their own browser context', () => {
  it('sends, shows as new, favourites and deletes a message', async () => {
    const alice = await registerUser('alice');
    const bob = await registerUser('bob');
    const sender = await openPage(browser);
    const receiver = await openPage(browser);

    await logIn(sender.page, alice.username, alice.password);
    // In-app navigation: a full page load would need the refresh cookie to resume the session.
    await sender.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Messages' }).click();
    await sender.page.getByLabel('To (username)').fill(bob.username);
    await sender.page.getByLabel('Message').fill('Hello Bob, shall we pair on exercise 3?');
    const sent = sender.page.waitForResponse(
      (response) => response.url().endsWith('/api/v1/messages') && response.request().method() === 'POST',
    );
    await sender.page.getByRole('button', { name: 'Send' }).click();
    expect((await sent).status()).toBe(201);
    await sender.page.getByText(`Message sent to ${bob.username}.`).waitFor();
    await sender.page.getByRole('link', { name: 'Sent' }).click();
    await sender.page.getByRole('list', { name: 'Sent' }).getByText('Hello Bob, shall we pair on exercise 3?').waitFor();

    await logIn(receiver.page, bob.username, bob.password);
    const nav = receiver.page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Messages 1 new' }).click();
    const inbox = receiver.page.getByRole('list', { name: 'Inbox' });
    await inbox.getByText('Hello Bob, shall we pair on exercise 3?').waitFor();
    // seen now: the count leaves the navigation
    await nav.getByRole('link', { name: 'Messages', exact: true }).waitFor();

    const star = receiver.page.getByRole('button', { name: `Favourite message from ${alice.username}` });
    expect(await star.getAttribute('aria-pressed')).toBe('false');
    const favorited = receiver.page.waitForResponse(
      (response) => response.url().endsWith('/favorite') && response.request().method() === 'PUT',
    );
    await star.click();
    expect((await favorited).status()).toBe(200);
    await star.and(receiver.page.locator('[aria-pressed="true"]')).waitFor();
    await receiver.page.getByRole('link', { name: 'Favourites' }).click();
    await receiver.page.getByRole('list', { name: 'Favourites' }).getByText('Hello Bob').waitFor();

    const deleted = receiver.page.waitForResponse(
      (response) => /\/api\/v1\/messages\/\d+$/.test(response.url()) && response.request().method() === 'DELETE',
    );
    await receiver.page.getByRole('button', { name: `Delete message from ${alice.username}` }).click();
    expect((await deleted).status()).toBe(200);
    await receiver.page.getByText('No messages here.').waitFor();

    // Deleted for Bob only. Alice favourites the message she sent and finds it under Favourites.
    const starSent = sender.page.getByRole('button', { name: `Favourite message to ${bob.username}` });
    await starSent.click();
    await starSent.and(sender.page.locator('[aria-pressed="true"]')).waitFor();
    await sender.page.getByRole('link', { name: 'Favourites' }).click();
    const favourites = sender.page.getByRole('list', { name: 'Favourites' });
    await favourites.getByText(`To ${bob.username}`).waitFor();
    await favourites.getByText('Hello Bob, shall we pair on exercise 3?').waitFor();

    sender.expectNoProblems();
    receiver.expectNoProblems();
    await sender.context.close();
    await receiver.context.close();
  });

  it('shows the API’s message for an unknown recipient', async () => {
    const carol = await registerUser('carol');
    const { page, context, allow, expectNoProblems } = await openPage(browser);
    allow(409, '/api/v1/messages');
    await logIn(page, carol.username, carol.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Messages' }).click();
    await page.getByLabel('To (username)').fill('nobody_by_this_name');
    await page.getByLabel('Message').fill('Anyone there?');
    const answer = page.waitForResponse(
      (response) => response.url().endsWith('/api/v1/messages') && response.request().method() === 'POST',
    );
    await page.getByRole('button', { name: 'Send' }).click();
    expect((await answer).status()).toBe(409);
    await page.getByRole('alert').waitFor();
    expectNoProblems();
    await context.close();
  });
});
