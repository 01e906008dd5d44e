// Shared pieces for the browser tests: Debian's Chromium (never a downloaded browser), a page that
// records what went wrong in it, axe-core accessibility checks and screenshots, and the app and
// browser a file runs against.
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { startTestApp, type TestApp, type TestAppOptions } from '../support/app.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AXE_PATH = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));
export const RESULTS_DIR = fileURLToPath(new URL('../../test-results/', import.meta.url));

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A page plus everything the browser complained about while it was open. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught script errors and console errors (CSP violations show up here too). */
  problems: string[];
}

export async function openPage(
  browser: Browser,
  options: { viewport?: { width: number; height: number }; javaScriptEnabled?: boolean; timezoneId?: string; locale?: string } = {},
): Promise<WatchedPage> {
  const { viewport = { width: 1280, height: 800 }, javaScriptEnabled = true, timezoneId, locale } = options;
  const context = await browser.newContext({ viewport, javaScriptEnabled, timezoneId, locale });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error on ${page.url()}: ${err.message}`));
  page.on('console', (msg) => {
    // The browser asks for /favicon.ico on its own; TutorKit has none (reported, not the app's pages).
    if (msg.type() !== 'error' || msg.location().url.endsWith('/favicon.ico')) return;
    problems.push(`console error on ${page.url()}: ${msg.text()}`);
  });
  return { context, page, problems };
}

/**
 * Console errors a test expects and does not count as problems: the page a reload lands on before
 * public/js/app.js retries with the remembered token answers 401 by design.
 */
export function unexpectedProblems(problems: string[]): string[] {
  return problems.filter((p) => !/Failed to load resource: the server responded with a status of 401/.test(p));
}

let axeSourceText: string | undefined;
async function axeSource(): Promise<string> {
  axeSourceText ??= await readFile(AXE_PATH, 'utf8');
  return axeSourceText;
}

interface AxeNode {
  target: unknown[];
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

/** Runs axe-core on the page (or a frame inside one) as it is now and fails with a readable list of violations. */
export async function expectNoAxeViolations(page: Page | Frame): Promise<void> {
  // TutorKit's CSP (script-src 'self') refuses page.addScriptTag's inline script, and the tests keep
  // the CSP on so that they notice the app breaking it. DevTools evaluation is not subject to the
  // page's CSP, so axe's source is evaluated from the test side instead.
  const present = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!present) await page.evaluate(await axeSource());
  const violations = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  }, AXE_TAGS);
  const report = violations
    .map((v) => {
      const targets = v.nodes.map((n) => `      ${n.target.map(String).join(' >> ')}`).join('\n');
      return `  - ${v.id} (${v.impact ?? 'no impact'}): ${v.help}\n    ${v.helpUrl}\n${targets}`;
    })
    .join('\n');
  if (violations.length > 0) expect.fail(`axe found ${violations.length} violation(s) on ${page.url()}:\n${report}`);
}

/**
 * Saves a screenshot (the full page unless `fullPage` is false) into test-results/ (git-ignored)
 * and returns its path. The caret is left alone: Playwright's default caret hiding leaves
 * `style=""` on inputs, which htmx then settles onto swapped-in inputs, and the CSP
 * (style-src 'self') reports that as an error.
 */
export async function screenshot(page: Page, name: string, { fullPage = true } = {}): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = `${RESULTS_DIR}${name}.png`;
  await page.screenshot({ path, fullPage, caret: 'initial' });
  return path;
}

/**
 * Starts TutorKit with the demo LMS (plus `options`) and Chromium before a file's tests, and
 * stops both after them. Read `env.app` and `env.browser` inside hooks and tests.
 */
export function useDemoApp(options: TestAppOptions = {}): { app: TestApp; browser: Browser } {
  const env = {} as { app: TestApp; browser: Browser };
  before(async () => {
    [env.app, env.browser] = await Promise.all([startTestApp({ demo: true, ...options }), launchBrowser()]);
  });
  after(async () => {
    await env.browser?.close();
    await env.app?.close();
  });
  return env;
}

export type DemoRole = 'instructor' | 'tutor' | 'student';

/**
 * Launches from the home page's demo form as the given person and waits until the browser has
 * gone through the demo LMS's auto-submitting OIDC forms and landed on a TutorKit role page.
 */
export async function launchFromDemo(page: Page, baseUrl: string, role: DemoRole, person: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.locator(`#demo-${role}`).selectOption({ label: person });
  await page.getByRole('button', { name: `Launch as ${role}` }).click();
  // The launch page loads the role home into itself; the header shows the person once it has.
  await page.locator('header.site-header .who-name').waitFor();
  await page.waitForURL((url) => /^\/(c\/[^/]+\/(dashboard|portal)|admin\/settings)$/.test(url.pathname));
}

/** From the page a launch landed on (tutors and students land on their Dashboard), the Sessions calendar: "My sessions" in the menu. */
export async function openMySessions(page: Page): Promise<void> {
  await page.locator('header.site-header').getByRole('link', { name: 'My sessions' }).click();
  await page.waitForURL((url) => /^\/c\/[^/]+\/sessions$/.test(url.pathname));
  await page.getByRole('heading', { level: 1, name: 'My sessions' }).waitFor();
}

