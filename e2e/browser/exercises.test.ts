import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminLogin } from '../launch.js';
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
let exercise: { id: number; title: string };

/** A JavaScript exercise of this test file's own, created through the API as the admin. */
async function createExercise() {
  const info = inject('codeyard');
  const token = await adminLogin(info);
  const title = `Double it ${randomBytes(4).toString('hex')}`;
  const response = await fetch(`${info.baseUrl}/api/v1/exercises`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      title,
      body: 'Define a function called `double` that returns twice its argument.\n\n```javascript\ndouble(2) // 4\n```',
      language: 'javascript',
      entrypoint: 'double',
      starter_code: 'function double(x) {\n  // return twice x\n}\n',
      examples: [
        { args: [2], expected: 4 },
        { args: [5], expected: 10 },
      ],
      tests: [
        { args: [0], expected: 0 },
        { args: [-7], expected: -14 },
      ],
      solution: 'function double(x) {\n  return 2 * x;\n}\n',
    }),
  });
  if (response.status !== 201) throw new Error(`creating the exercise failed: ${response.status} ${await response.text()}`);
  return { id: ((await response.json()) as { id: number }).id, title };
}

beforeAll(async () => {
  [browser, exercise] = await Promise.all([launchBrowser(), createExercise()]);
});
afterAll(async () => {
  await browser?.close();
});

async function openExercise(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Exercises' }).click();
  await page.getByRole('heading', { level: 1, name: 'Exercises' }).waitFor();
  await page.getByRole('list', { name: 'Exercises' }).getByRole('link', { name: exercise.title }).click();
  await page.getByRole('heading', { level: 1, name: exercise.title }).waitFor();
  await page.getByRole('textbox', { name: 'Code' }).waitFor();
}

describe('exercises in the browser', () => {
  it('runs a wrong answer on the examples, submits it, then submits a right one and shows the exercise as solved', async () => {
    const user = await registerUser('solver');
    const { page, context, expectNoProblems } = await openPage(browser);
    await logIn(page, user.username, user.password);
    await openExercise(page);
    await page.getByText('Define a function called').waitFor();
    await page.getByRole('heading', { name: 'Examples' }).waitFor();
    await page.getByText('No attempts yet.').waitFor();

    await setCode(page, 'function double(x) {\n  return x + 2;\n}');
    const ran = answerTo(page, 'POST', /^\/api\/v1\/eval$/);
    await page.getByRole('button', { name: 'Run' }).click();
    expect((await ran).status()).toBe(200);
    const run = page.getByRole('region', { name: 'Run on the examples' });
    await run.getByText('1 of 2 tests passed.').waitFor();
    // example 2: expected 10, got 7
    const second = run.getByRole('row', { name: /example 2/ });
    expect(await second.getByRole('cell').allTextContents()).toEqual(['failed', '10', '7', expect.any(String)]);

    const wrong = answerTo(page, 'POST', /^\/api\/v1\/exercises\/\d+\/submissions$/);
    await page.getByRole('button', { name: 'Submit' }).click();
    expect((await wrong).status()).toBe(201);
    await page.getByRole('region', { name: 'Graded submission' }).getByText('1 of 4 tests passed.').waitFor();
    await page.getByRole('list', { name: 'Previous attempts' }).getByText('Not passed').waitFor();

    await setCode(page, 'function double(x) {\n  return 2 * x;\n}');
    const right = answerTo(page, 'POST', /^\/api\/v1\/exercises\/\d+\/submissions$/);
    await page.getByRole('button', { name: 'Submit' }).click();
    expect((await right).status()).toBe(201);
    await page.getByRole('region', { name: 'Graded submission' }).getByText('All 4 tests passed.').waitFor();
    const attempts = page.getByRole('list', { name: 'Previous attempts' }).getByRole('listitem');
    await attempts.nth(1).waitFor();
    expect(await attempts.count()).toBe(2);
    expect(await attempts.first().textContent()).toContain('Passed');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Exercises' }).click();
    const item = page.getByRole('list', { name: 'Exercises' }).getByRole('listitem').filter({ hasText: exercise.title });
    await item.getByText('Solved').waitFor();
    expect(await item.textContent()).toContain('JavaScript');
    expectNoProblems();
    await context.close();
  });

  it('says when the code ran out of time, and indents a new line after an opening brace', async () => {
    const user = await registerUser('looper');
    const { page, context, expectNoProblems } = await openPage(browser);
    await logIn(page, user.username, user.password);
    await openExercise(page);

    await setCode(page, 'function double(x) {');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('while (true) {}');
    const lines = page.getByRole('textbox', { name: 'Code' }).locator('.cm-line');
    await lines.nth(1).getByText('while (true) {}').waitFor();
    expect(await lines.nth(1).textContent()).toBe('  while (true) {}');
    await page.keyboard.press('Enter');
    await page.keyboard.type('}');
    // the closing brace goes back to the left edge by itself
    await lines.nth(2).getByText('}').waitFor();
    expect(await lines.nth(2).textContent()).toBe('}');

    const ran = answerTo(page, 'POST', /^\/api\/v1\/eval$/);
    await page.getByRole('button', { name: 'Run' }).click();
    expect((await ran).status()).toBe(200);
    const run = page.getByRole('region', { name: 'Run on the examples' });
    await run.getByRole('status').filter({ hasText: 'Time limit exceeded' }).waitFor();
    expect(await run.getByRole('cell', { name: 'time limit exceeded' }).count()).toBe(2);
    expectNoProblems();
    await context.close();
  });

  it('has no serious accessibility problem and fits 375 px in light and dark, signed out and signed in', async () => {
    const user = await registerUser('reader');
    for (const signedIn of [false, true]) {
      const { page, context, expectNoProblems } = await openPage(browser, PHONE);
      if (signedIn) await logIn(page, user.username, user.password);
      else await page.goto('/');
      await openExercise(page);
      if (signedIn) {
        await page.getByText('No attempts yet.').waitFor();
        // with the results table of a run (the starter code returns nothing) on the page too
        const ran = answerTo(page, 'POST', /^\/api\/v1\/eval$/);
        await page.getByRole('button', { name: 'Run' }).click();
        expect((await ran).status()).toBe(200);
        await page.getByRole('region', { name: 'Test results' }).waitFor();
      } else await page.getByText('to run and submit your code.').waitFor();
      for (const target of ['exercise', 'list'] as const) {
        if (target === 'list') {
          await page.getByRole('link', { name: 'All exercises' }).click();
          await page.getByRole('list', { name: 'Exercises' }).getByRole('link', { name: exercise.title }).waitFor();
        }
        await page.getByText('Loading', { exact: false }).first().waitFor({ state: 'detached' });
        for (const colorScheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme });
          const where = `${target} ${colorScheme} ${signedIn ? 'signed in' : 'signed out'}`;
          expect(await seriousA11yViolations(page), where).toEqual([]);
          expect(await horizontalOverflow(page), where).toBe(0);
        }
      }
      expectNoProblems();
      await context.close();
    }
  });
});
