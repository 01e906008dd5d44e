// Browser pieces for launching TutorKit inside an LMS frame: Chromium profiles with third-party
// cookies blocked or allowed, a tiny cookie probe that proves which one a profile does, and
// helpers to reach the tool's frame and the simulated platform's storage.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Frame, type FrameLocator, type Page } from 'playwright-core';
import { TOOL_FRAME } from '../support/platform-simulator.js';
import { CHROMIUM_PATH } from './support.js';

// --disable-site-isolation-trials keeps the cross-site frame in the page's process: with the frame
// swapping processes on every hop (LMS -> TutorKit -> LMS -> TutorKit), Playwright now and then
// lost track of it (about 1 run in 10 saw a stale frame at /auth while Chromium showed TutorKit's
// page). Cookie blocking and postMessage do not depend on process placement.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-site-isolation-trials'];

export type ThirdPartyCookies = 'blocked' | 'allowed';

/** A Chromium with a profile of its own, and everything its pages (popups too) complained about. */
export interface ChromiumProfile {
  context: BrowserContext;
  page: Page;
  /** Uncaught script errors and console errors from every page and frame of the profile. */
  problems: string[];
  close(): Promise<void>;
}

/**
 * Starts Chromium on a fresh user-data-dir whose Preferences set the cookie controls, the same
 * switch as chrome://settings/cookies ("Block third-party cookies" = cookie_controls_mode 1).
 * A persistent context is needed: browser.newContext() profiles do not read Preferences.
 * Chromium 156 already blocks third-party cookies in a new profile, so 'allowed' has to say so.
 */
export async function openProfile(cookies: ThirdPartyCookies, viewport = { width: 1100, height: 850 }): Promise<ChromiumProfile> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'tutorkit-chromium-'));
  mkdirSync(join(userDataDir, 'Default'));
  const blocked = cookies === 'blocked';
  const preferences = { profile: { cookie_controls_mode: blocked ? 1 : 0, block_third_party_cookies: blocked } };
  writeFileSync(join(userDataDir, 'Default', 'Preferences'), JSON.stringify(preferences));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, viewport });
  const problems: string[] = [];
  const watch = (page: Page) => {
    page.on('pageerror', (err) => problems.push(`page error on ${page.url()}: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() !== 'error' || msg.location().url.endsWith('/favicon.ico')) return;
      problems.push(`console error on ${msg.location().url || page.url()}: ${msg.text()}`);
    });
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    problems,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** The TutorKit iframe of the simulated course page. */
export function toolFrame(page: Page): FrameLocator {
  return page.frameLocator(`iframe[title="${TOOL_FRAME.title}"]`);
}

/** The same frame as a Frame (for evaluate, url, goto). */
export function toolFrameHandle(page: Page): Frame {
  const frame = page.frame({ name: TOOL_FRAME.name });
  if (!frame) throw new Error(`The page ${page.url()} has no frame named ${TOOL_FRAME.name}`);
  return frame;
}

export interface PlatformStorageView {
  /** What the platform stored, by the origin that stored it. */
  stored: Record<string, Record<string, string>>;
  /** Every lti.* message the platform received. */
  messages: Array<{ subject: string; message_id?: unknown; key?: string; origin: string; fromTool: boolean; answered: boolean }>;
}

/** Reads the simulated platform's storage from its course page (see renderPlatformStorageScript). */
export function readPlatformStorage(page: Page): Promise<PlatformStorageView> {
  return page.evaluate(() => {
    const w = window as unknown as { __storage?: object; __ltiMessages?: unknown[] };
    // JSON round trip: the storage objects have no prototype.
    return JSON.parse(JSON.stringify({ stored: w.__storage ?? {}, messages: w.__ltiMessages ?? [] })) as PlatformStorageView;
  });
}

// ---- cookie probe ------------------------------------------------------------------------------

export interface CookieProbeResult {
  /** The Cookie header the frame's second request carried (after the first set cookies). */
  headerInFrame: string;
  /** document.cookie in the frame right after it set a cookie itself. */
  documentCookieInFrame: string;
  /** The Cookie header of the same request made from a top-level page of that site. */
  headerTopLevel: string;
}

/**
 * A page on 127.0.0.1 framing a page on localhost (another site, same server) that sets cookies
 * by header and by script, then reloads itself to show what came back.
 */
export async function startCookieProbe(): Promise<{ probe(page: Page): Promise<CookieProbeResult>; close(): Promise<void> }> {
  let port = 0;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://probe').pathname;
    const html = (body: string, headers: Record<string, string | string[]> = {}) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers });
      res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>probe</title></head><body>${body}</body></html>`);
    };
    const escape = (value: string) => value.replaceAll('&', '&amp;').replaceAll('<', '&lt;');
    if (path === '/parent') return html(`<iframe name="probe" title="probe" src="http://localhost:${port}/set"></iframe>`);
    if (path === '/set') {
      return html(
        `<p id="set">set</p><script>document.cookie = 'by_script=1; Path=/; SameSite=None; Secure'; document.body.dataset.documentCookie = document.cookie;</script>`,
        { 'set-cookie': ['by_header=1; Path=/; SameSite=None; Secure'] },
      );
    }
    if (path === '/check') return html(`<p id="cookie">${escape(req.headers.cookie ?? '')}</p>`);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    probe: async (page) => {
      await page.goto(`http://127.0.0.1:${port}/parent`);
      const frame = page.frameLocator('iframe[name="probe"]');
      await frame.locator('#set').waitFor();
      const documentCookieInFrame = (await frame.locator('body').getAttribute('data-document-cookie')) ?? '';
      const handle = page.frame({ name: 'probe' });
      if (!handle) throw new Error('probe frame missing');
      await handle.goto(`http://localhost:${port}/check`);
      const headerInFrame = (await frame.locator('#cookie').textContent()) ?? '';
      await page.goto(`http://localhost:${port}/set`);
      await page.goto(`http://localhost:${port}/check`);
      const headerTopLevel = (await page.locator('#cookie').textContent()) ?? '';
      return { headerInFrame, documentCookieInFrame, headerTopLevel };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
