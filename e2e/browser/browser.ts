// Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core (no
// browser download), a fresh profile per launch, and a watcher that fails a test on any console
// error, page error, failed request or unexpected 4xx/5xx answer.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 375, height: 740 };

export function baseUrl(): string {
  return inject('codeyard').baseUrl;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
    timeout: 60_000,
  });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Lets one expected failing answer through, e.g. the 401 of a wrong password. */
  allow(status: number, path: string): void;
  /** Fails the test if anything went wrong on the page since it opened. */
  expectNoProblems(): void;
}

/** Watches a page: every console error, page error, failed request or 4xx/5xx answer is a problem. */
export function watchPage(page: Page): Omit<WatchedPage, 'page' | 'context'> {
  const problems: string[] = [];
  const allowed: { status: number; path: string }[] = [];
  page.on('console', (message) => {
    // "Failed to load resource" repeats a failed answer, which the response listener judges.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? '';
    // A navigation away cancels the previous page's requests; that is not a failure.
    if (reason !== 'net::ERR_ABORTED') problems.push(`request failed: ${request.method()} ${request.url()} ${reason}`);
  });
  page.on('response', (response) => {
    if (response.status() < 400) return;
    const path = new URL(response.url()).pathname;
    const index = allowed.findIndex((entry) => entry.status === response.status() && entry.path === path);
    if (index >= 0) allowed.splice(index, 1);
    else problems.push(`answer ${response.status()}: ${response.request().method()} ${path}`);
  });
  return {
    allow: (status, path) => allowed.push({ status, path }),
    expectNoProblems: () => expect(problems).toEqual([]),
  };
}

/** A new browser context (own cookies and storage) with one page watched for problems. */
export async function openPage(
  browser: Browser,
  viewport = DESKTOP,
  options: { colorScheme?: 'light' | 'dark' } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({ baseURL: baseUrl(), viewport, colorScheme: options.colorScheme ?? 'light' });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  return { page, context, ...watchPage(page) };
}

/** A new user's credentials, unique to the calling test. */
export function newUserDetails(prefix = 'u') {
  const username = `${prefix}_${randomBytes(5).toString('hex')}`;
  return { username, email: `${username}@example.test`, password: `pw-${randomBytes(8).toString('hex')}` };
}

/** Registers a user through the API (tests that are not about registering start from here). */
export async function registerUser(prefix = 'u') {
  const details = newUserDetails(prefix);
  const response = await fetch(`${baseUrl()}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(details),
  });
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${await response.text()}`);
  const user = (await response.json()) as { id: number };
  return { ...details, id: user.id };
}

/** Logs in through the login form and waits until the app shows the user as signed in. */
export async function logIn(page: Page, login: string, password: string, username = login) {
  await page.goto('/login');
  await page.getByLabel('Email or username').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: username, exact: true }).waitFor();
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core on the page as it is now; returns the serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') stays on.
  await page.evaluate(axeSource);
  // A string, evaluated in the page: this file is type-checked without the DOM library.
  const violations = (await page.evaluate('axe.run().then((result) => result.violations)')) as {
    id: string;
    impact: string;
    nodes: { target: string[] }[];
  }[];
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

/** How far the page's content sticks out of the viewport sideways (0 when it fits). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return (await page.evaluate('Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth')) as number;
}

/** Replaces the whole text of the code editor with this label (typed text would be auto-indented; this is pasted as is). */
export async function setCode(page: Page, code: string, label = 'Code') {
  const editor = page.getByRole('textbox', { name: label });
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(code);
  await editor
    .getByText(code.split('\n')[0] ?? '')
    .first()
    .waitFor();
}

/** The next answer to a `method` request whose path matches. */
export function answerTo(page: Page, method: string, pattern: RegExp) {
  return page.waitForResponse((response) => response.request().method() === method && pattern.test(new URL(response.url()).pathname));
}
