import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { horizontalOverflow, launchBrowser, logIn, openPage, PHONE, registerUser, seriousA11yViolations } from './browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const isVote = (url: string, method: string) => /\/api\/v1\/votes\/\d+$/.test(new URL(url).pathname) && method === 'PUT';

/** The vote buttons and score of one post, as a screen reader finds them. */
function voteOn(page: Page, title: string) {
  const group = page.getByRole('group', { name: `Vote on ${title}` });
  return {
    up: group.getByRole('button', { name: 'Upvote' }),
    down: group.getByRole('button', { name: 'Downvote' }),
    score: (points: number) => group.getByText(`${points} ${Math.abs(points) === 1 ? 'point' : 'points'}`),
  };
}

/** Waits until the page's headings and lists have settled on data. */
async function settle(page: Page, heading: string) {
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await page.getByText('Loading', { exact: false }).first().waitFor({ state: 'detached' });
}

/** No serious axe violation and nothing wider than the phone, in light and in dark. */
async function expectAccessibleAtPhoneWidth(page: Page, label: string) {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await seriousA11yViolations(page), `${label} ${colorScheme}`).toEqual([]);
    expect(await horizontalOverflow(page), `${label} ${colorScheme}`).toBe(0);
  }
}

describe('posting and voting, with the author and a voter in their own browser contexts', () => {
  it('publishes a post through the form, shows it in the feeds, and counts a vote in the score and the karma', async () => {
    const author = await registerUser('author');
    const voter = await registerUser('voter');
    const community = `c_${randomBytes(5).toString('hex')}`;
    const title = `Closures, explained ${randomBytes(3).toString('hex')}`;
    const writer = await openPage(browser);
    await logIn(writer.page, author.username, author.password);

    // The form: from the all-posts feed, validating as the author types.
    const nav = writer.page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Posts' }).click();
    await writer.page.getByRole('link', { name: 'New post' }).click();
    await writer.page.getByRole('heading', { level: 1, name: 'New post' }).waitFor();
    await writer.page.getByLabel('Community').fill('Not A Name');
    await writer.page.getByText('Community may contain only lower-case letters, digits and _.').waitFor();
    expect(await writer.page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    await writer.page.getByLabel('Community').fill(community);
    await writer.page.getByLabel('Title').fill(title);
    await writer.page.getByLabel('Text').fill('A closure keeps the variables of the scope it was made in.\nEven after that scope returns.');
    await writer.page.getByLabel('Link (optional)').fill('https://developer.mozilla.org/docs/Web/JavaScript/Closures');
    const created = writer.page.waitForResponse(
      (response) => new URL(response.url()).pathname === '/api/v1/posts' && response.request().method() === 'POST',
    );
    await writer.page.getByRole('button', { name: 'Publish' }).click();
    expect((await created).status()).toBe(201);
    const postId = ((await (await created).json()) as { id: number }).id;

    // Its page: the flash, the title, the text, the link, the author and a score of 0.
    await writer.page.getByText('Your post is published.').waitFor();
    await writer.page.getByRole('heading', { level: 1, name: title }).waitFor();
    expect(new URL(writer.page.url()).pathname).toBe(`/posts/${postId}`);
    await writer.page.getByText('Even after that scope returns.').waitFor();
    await writer.page.getByRole('link', { name: 'https://developer.mozilla.org/docs/Web/JavaScript/Closures' }).waitFor();
    await writer.page.getByRole('main').getByRole('link', { name: author.username }).waitFor();
    await voteOn(writer.page, title).score(0).waitFor();

    // The community feed and the all-posts feed list it, with community, author, age and score.
    await writer.page.getByRole('main').getByRole('link', { name: community }).click();
    const inCommunity = writer.page.getByRole('list', { name: `New posts in ${community}` }).getByRole('listitem');
    await inCommunity.getByRole('link', { name: title }).waitFor();
    expect(await inCommunity.count()).toBe(1);
    expect(await inCommunity.textContent()).toContain(`by ${author.username}`);
    expect(await inCommunity.locator('time').textContent()).toMatch(/just now|minute/);
    await nav.getByRole('link', { name: 'Posts' }).click();
    await writer.page.getByRole('list', { name: 'New posts' }).getByRole('link', { name: title }).waitFor();
    await voteOn(writer.page, title).score(0).waitFor();

    // The voter, in another browser context, upvotes it: the score moves before the server answers.
    const reader = await openPage(browser);
    await logIn(reader.page, voter.username, voter.password);
    await reader.page.goto(`/posts/${postId}`);
    await reader.page.getByRole('heading', { level: 1, name: title }).waitFor();
    const vote = voteOn(reader.page, title);
    await vote.score(0).waitFor();
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await reader.page.route('**/api/v1/votes/*', async (route) => {
      if (route.request().method() === 'PUT') await held;
      await route.continue();
    });
    const voted = reader.page.waitForResponse((response) => isVote(response.url(), response.request().method()));
    await vote.up.click();
    await vote.score(1).waitFor();
    expect(await vote.up.getAttribute('aria-pressed')).toBe('true');
    release();
    expect((await voted).status()).toBe(200);
    await reader.page.unroute('**/api/v1/votes/*');

    // …and it stays after a reload (the session and the vote both come back).
    await reader.page.reload();
    await reader.page.getByRole('heading', { level: 1, name: title }).waitFor();
    await vote.score(1).waitFor();
    expect(await vote.up.getAttribute('aria-pressed')).toBe('true');
    expect(await vote.down.getAttribute('aria-pressed')).toBe('false');

    // The community's top feed ranks it; the author sees the score, without a vote of their own.
    await reader.page.goto(`/communities/${community}?sort=top`);
    await reader.page
      .getByRole('list', { name: `Top posts in ${community}` })
      .getByRole('link', { name: title })
      .waitFor();
    await writer.page.reload();
    await writer.page.getByRole('list', { name: 'New posts' }).getByRole('link', { name: title }).waitFor();
    await voteOn(writer.page, title).score(1).waitFor();
    expect(await voteOn(writer.page, title).up.getAttribute('aria-pressed')).toBe('false');

    // Karma goes through the votes outbox to users: the author's status page shows it once it lands.
    await nav.getByRole('link', { name: author.username }).click();
    const karma = writer.page.locator('dt:text-is("Karma") + dd');
    await karma.waitFor();
    await expect
      .poll(
        async () => {
          await writer.page.reload();
          await settle(writer.page, 'Status');
          return karma.textContent();
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe('1');

    // The user page lists the author's posts with their score.
    await reader.page.goto(`/users/${author.id}`);
    await reader.page
      .getByRole('list', { name: `Posts by ${author.username}` })
      .getByRole('link', { name: title })
      .waitFor();
    await reader.page.getByText('Karma 1').waitFor();

    writer.expectNoProblems();
    reader.expectNoProblems();
    await writer.context.close();
    await reader.context.close();
  });

  it('lets the author delete a post after confirming; its page then says it is gone', async () => {
    const author = await registerUser('deleter');
    const community = `d_${randomBytes(5).toString('hex')}`;
    const { page, context, allow, expectNoProblems } = await openPage(browser);
    await logIn(page, author.username, author.password);
    await page.goto(`/posts/new?community=${community}`);
    await page.getByLabel('Title').fill('Short-lived');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByRole('heading', { level: 1, name: 'Short-lived' }).waitFor();
    const postPath = new URL(page.url()).pathname;

    await page.getByRole('button', { name: 'Delete post' }).click();
    await page.getByRole('button', { name: 'Keep it' }).click();
    await page.getByRole('button', { name: 'Delete post' }).click();
    const deleted = page.waitForResponse(
      (response) =>
        new URL(response.url()).pathname === postPath.replace('/posts', '/api/v1/posts') && response.request().method() === 'DELETE',
    );
    await page.getByRole('button', { name: 'Yes, delete it' }).click();
    expect((await deleted).status()).toBe(200);
    await page.getByText('The post “Short-lived” is deleted.').waitFor();
    await page.getByRole('heading', { level: 1, name: community }).waitFor();
    await page.getByText('No posts yet.').waitFor();

    allow(404, postPath.replace('/posts', '/api/v1/posts'));
    await page.goto(postPath);
    await page.getByRole('heading', { level: 1, name: 'Post not found' }).waitFor();
    expectNoProblems();
    await context.close();
  });

  it('sends a visitor who votes to log in, and back to the post after', async () => {
    const author = await registerUser('shown');
    const visitorAccount = await registerUser('visitor');
    const community = `v_${randomBytes(5).toString('hex')}`;
    const writer = await openPage(browser);
    await logIn(writer.page, author.username, author.password);
    await writer.page.goto(`/posts/new?community=${community}`);
    await writer.page.getByLabel('Title').fill('Vote for me');
    await writer.page.getByRole('button', { name: 'Publish' }).click();
    await writer.page.getByRole('heading', { level: 1, name: 'Vote for me' }).waitFor();
    const postPath = new URL(writer.page.url()).pathname;

    const visitor = await openPage(browser);
    await visitor.page.goto(postPath);
    await voteOn(visitor.page, 'Vote for me').score(0).waitFor();
    await voteOn(visitor.page, 'Vote for me').up.click();
    await visitor.page.getByText('Log in to vote.').waitFor();
    await visitor.page.getByLabel('Email or username').fill(visitorAccount.username);
    await visitor.page.getByLabel('Password').fill(visitorAccount.password);
    await visitor.page.getByRole('button', { name: 'Log in' }).click();
    await visitor.page.getByRole('heading', { level: 1, name: 'Vote for me' }).waitFor();
    expect(new URL(visitor.page.url()).pathname).toBe(postPath);
    // No vote was cast on the visitor's behalf.
    await voteOn(visitor.page, 'Vote for me').score(0).waitFor();
    expect(await voteOn(visitor.page, 'Vote for me').up.getAttribute('aria-pressed')).toBe('false');

    writer.expectNoProblems();
    visitor.expectNoProblems();
    await writer.context.close();
    await visitor.context.close();
  });
});

describe('the community pages at 375 px', () => {
  it('have no serious accessibility problem and nothing wider than the screen, signed out and signed in, light and dark', async () => {
    const author = await registerUser('phone');
    const community = `p_${randomBytes(5).toString('hex')}`;
    const { page, context, allow, expectNoProblems } = await openPage(browser, PHONE);
    await logIn(page, author.username, author.password);

    await page.goto(`/posts/new?community=${community}`);
    await settle(page, 'New post');
    await page.getByLabel('Title').fill('x'.repeat(300));
    await page.getByLabel('Link (optional)').fill('not a link');
    await page.getByText('Link must be an http:// or https:// address.').waitFor();
    await expectAccessibleAtPhoneWidth(page, 'new post (with an error)');
    await page.getByLabel('Title').fill(`A long word that must wrap: ${'w'.repeat(120)}`);
    await page.getByLabel('Link (optional)').fill(`https://example.com/${'long/'.repeat(60)}`);
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Your post is published.').waitFor();
    await settle(page, `A long word that must wrap: ${'w'.repeat(120)}`);
    await page.getByRole('button', { name: 'Delete post' }).click();
    await expectAccessibleAtPhoneWidth(page, 'post page (author, confirming delete)');

    const pages = [
      { path: '/communities', heading: 'Communities' },
      { path: `/communities/${community}`, heading: community },
      { path: `/communities/${community}?sort=top`, heading: community },
      { path: '/posts', heading: 'Posts' },
      { path: '/posts?sort=top', heading: 'Posts' },
      { path: `/users/${author.id}`, heading: author.username },
      { path: '/posts/2147483647', heading: 'Post not found' },
    ];
    allow(404, '/api/v1/posts/2147483647');
    for (const { path, heading } of pages) {
      await page.goto(path);
      await settle(page, heading);
      await expectAccessibleAtPhoneWidth(page, path);
    }
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Log out' }).click();
    await page.getByText('You are logged out.').waitFor();
    await page.goto('/posts/new');
    await page.getByText('You must be logged in to view this.').waitFor();
    await expectAccessibleAtPhoneWidth(page, 'new post, signed out');
    await page.goto(`/communities/${community}`);
    await settle(page, community);
    await expectAccessibleAtPhoneWidth(page, 'community, signed out');
    expectNoProblems();
    await context.close();
  });
});
