import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  answerTo,
  horizontalOverflow,
  launchBrowser,
  logIn,
  openPage,
  PHONE,
  registerUser,
  seriousA11yViolations,
  setCode,
} from './browser.js';

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** axe finds nothing serious and nothing is wider than the phone, in light and in dark. */
async function expectAccessibleAndNarrow(page: Page, where: string) {
  await page.getByText('Loading', { exact: false }).first().waitFor({ state: 'detached' });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await seriousA11yViolations(page), `${where} ${colorScheme}`).toEqual([]);
    expect(await horizontalOverflow(page), `${where} ${colorScheme}`).toBe(0);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Fills one row of the examples or hidden tests. */
async function fillCase(page: Page, name: string, args: string, expected: string) {
  await page.getByLabel(`${name}: arguments`).fill(args);
  await page.getByLabel(`${name}: expected result`).fill(expected);
}

/** Clears the learner's editor and types the code key by key. */
async function typeAnswer(page: Page, code: string) {
  const editor = page.getByRole('textbox', { name: 'Code' });
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(code);
  await editor.getByText(code).waitFor();
}

describe('an admin adds an exercise and a learner solves it', () => {
  it('refuses a reference solution that fails its tests with the failing test marked, saves the fixed one, lists it, and grades a learner', async () => {
    const title = `Triple it ${randomBytes(4).toString('hex')}`;
    const { adminEmail, adminPassword } = inject('codeyard');
    const admin = await openPage(browser, PHONE);
    const { page } = admin;
    await logIn(page, adminEmail, adminPassword, 'admin');

    // The way in: Admin in the main navigation, then Exercises among the administration pages.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin', exact: true }).click();
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Exercises' }).click();
    await page.getByRole('heading', { level: 1, name: 'Manage exercises' }).waitFor();
    await expectAccessibleAndNarrow(page, 'exercise list');

    await page.getByRole('link', { name: 'Add an exercise' }).click();
    await page.getByRole('heading', { level: 1, name: 'Add an exercise' }).waitFor();
    await page.getByRole('textbox', { name: 'Reference solution' }).waitFor();
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Statement').fill('Define a function called `triple` that returns three times its argument.');
    await page.getByLabel('Language').selectOption('javascript');
    await page.getByLabel('Difficulty').selectOption('hard');
    await page.getByLabel('Entrypoint').fill('triple');
    await setCode(page, 'function triple(x) {\n  // return three times x\n}', 'Starter code');
    await fillCase(page, 'Example 1', '[2]', '6');
    await page.getByRole('button', { name: 'Add an example' }).click();
    await fillCase(page, 'Example 2', '[5]', '15');
    await fillCase(page, 'Hidden test 1', '[0]', '0');
    await page.getByRole('button', { name: 'Add a hidden test' }).click();
    await fillCase(page, 'Hidden test 2', '[-4]', '-12');
    // Wrong for negative numbers: only the second hidden test catches it.
    await setCode(page, 'function triple(x) {\n  return x > 0 ? 3 * x : 0;\n}', 'Reference solution');

    admin.allow(400, '/api/v1/exercises');
    const refused = answerTo(page, 'POST', /^\/api\/v1\/exercises$/);
    await page.getByRole('button', { name: 'Add exercise' }).click();
    expect((await refused).status()).toBe(400);
    await page.getByRole('alert').getByText("The reference solution does not pass the exercise's own tests").waitFor();
    const failing = page.getByRole('listitem').filter({ has: page.getByLabel('Hidden test 2: arguments') });
    await failing.getByText('Reference solution: failed: expected -12, got 0').waitFor();
    expect(await page.getByText(/^Reference solution: failed/).count()).toBe(1);
    await expectAccessibleAndNarrow(page, 'new exercise form with the failing test');

    await setCode(page, 'function triple(x) {\n  return 3 * x;\n}', 'Reference solution');
    const saved = answerTo(page, 'POST', /^\/api\/v1\/exercises$/);
    await page.getByRole('button', { name: 'Add exercise' }).click();
    expect((await saved).status()).toBe(201);
    await page.getByText(`Exercise “${title}” added.`).waitFor();
    const row = page.getByRole('row').filter({ hasText: title });
    expect(await row.getByRole('cell').allTextContents()).toEqual(['JavaScript', 'Hard', '2 + 2 hidden', 'Edit']);

    // The edit page starts from what was saved, hidden tests and solution included.
    await row.getByRole('link', { name: `Edit ${title}` }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit an exercise' }).waitFor();
    expect(await page.getByLabel('Difficulty').inputValue()).toBe('hard');
    expect(await page.getByLabel('Hidden test 2: expected result').inputValue()).toBe('-12');
    await page.getByRole('textbox', { name: 'Reference solution' }).getByText('return 3 * x;').waitFor();
    await expectAccessibleAndNarrow(page, 'edit exercise form');

    // Learners see it in the list with its language and difficulty.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Exercises' }).click();
    const listed = page.getByRole('list', { name: 'Exercises' }).getByRole('listitem').filter({ hasText: title });
    await listed.waitFor();
    expect(await listed.textContent()).toContain('JavaScript');
    expect(await listed.textContent()).toContain('Hard');
    await page.getByLabel('Difficulty').selectOption('easy');
    await listed.waitFor({ state: 'detached' });
    admin.expectNoProblems();

    // A learner submits a wrong answer, then a right one, typed into the editor.
    const learner = await registerUser('tripler');
    const student = await openPage(browser);
    await logIn(student.page, learner.username, learner.password);
    await student.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Exercises' }).click();
    await student.page.getByRole('list', { name: 'Exercises' }).getByRole('link', { name: title }).click();
    await student.page.getByRole('heading', { level: 1, name: title }).waitFor();
    await student.page.getByText('JavaScript · Hard').waitFor();
    expect(await student.page.getByRole('link', { name: 'Edit', exact: true }).count()).toBe(0);
    await student.page.getByRole('textbox', { name: 'Code' }).getByText('// return three times x').waitFor();

    await typeAnswer(student.page, 'function triple(x) { return x + x; }');
    const wrong = answerTo(student.page, 'POST', /^\/api\/v1\/exercises\/\d+\/submissions$/);
    await student.page.getByRole('button', { name: 'Submit' }).click();
    expect((await wrong).status()).toBe(201);
    // triple(0) = 0 is right by luck
    await student.page.getByRole('region', { name: 'Graded submission' }).getByText('1 of 4 tests passed.').waitFor();

    await typeAnswer(student.page, 'function triple(x) { return 3 * x; }');
    const right = answerTo(student.page, 'POST', /^\/api\/v1\/exercises\/\d+\/submissions$/);
    await student.page.getByRole('button', { name: 'Submit' }).click();
    expect((await right).status()).toBe(201);
    await student.page.getByRole('region', { name: 'Graded submission' }).getByText('All 4 tests passed.').waitFor();
    student.expectNoProblems();
    await student.context.close();

    // The admin deletes it, after confirming.
    await page.goto('/admin/exercises');
    await page.getByRole('link', { name: `Edit ${title}` }).click();
    await page.getByRole('button', { name: 'Delete exercise' }).click();
    const confirm = page.getByRole('region', { name: 'Confirm deletion' });
    await confirm.getByText(`Delete “${title}” and every submission to it?`).waitFor();
    await expectAccessibleAndNarrow(page, 'delete confirmation');
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Delete exercise' }).click();
    const deleted = answerTo(page, 'DELETE', /^\/api\/v1\/exercises\/\d+$/);
    await confirm.getByRole('button', { name: 'Yes, delete it' }).click();
    expect((await deleted).status()).toBe(200);
    await page.getByText(`Exercise “${title}” deleted.`).waitFor();
    await page.getByText('Loading', { exact: false }).first().waitFor({ state: 'detached' });
    expect(await page.getByRole('row').filter({ hasText: title }).count()).toBe(0);
    admin.expectNoProblems();
    await admin.context.close();
  });

  it('keeps the exercise pages from anyone but an admin', async () => {
    const user = await registerUser('notadmin');
    const { page, context, expectNoProblems } = await openPage(browser);
    await page.goto('/admin/exercises/new');
    await page.getByText('You must be logged in to view this.').waitFor();
    await logIn(page, user.username, user.password);
    await page.goto('/admin/exercises/new');
    await page.getByText('You must be an administrator to view this.').waitFor();
    expect(await page.getByLabel('Title').count()).toBe(0);
    await page.goto('/exercises');
    await page.getByRole('heading', { level: 1, name: 'Exercises' }).waitFor();
    await page.getByText('Loading', { exact: false }).first().waitFor({ state: 'detached' });
    expect(await page.getByRole('link', { name: 'Manage exercises' }).count()).toBe(0);
    expectNoProblems();
    await context.close();
  });
});
