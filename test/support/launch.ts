// Launch helpers: a full LTI launch from the simulator, the people who launch, and the h1 of a page.
import { expect } from 'chai';
import type { Db } from '../../src/db/client.js';
import { courses, memberships, users } from '../../src/db/schema.js';
import type { TestApp } from './app.js';
import { htmx } from './htmx.js';
import type { LaunchInput, LaunchResult, PlatformSimulator, SimUser } from './platform-simulator.js';
import { ROLES } from './platform-simulator.js';

export interface Launched {
  result: LaunchResult;
  /** The role home the launch redirected to, without the token. */
  path: string;
  courseId: string;
  token: string;
}

/** Launches and expects success: the launch page holding the token and the role home. `app` may be a server process. */
export async function launchAs(app: Pick<TestApp, 'tool'>, sim: PlatformSimulator, input: LaunchInput): Promise<Launched> {
  const result = await sim.launch(app.tool, input);
  expect(result.status, `launch failed: ${result.body.slice(0, 400)}`).to.equal(200);
  const page = readLaunchPage(result.body);
  expect(page, 'the launch page carries a token and a home').to.not.equal(null);
  // The token names its course; an administrator's home (/admin/settings) does not.
  const payload = JSON.parse(Buffer.from(page!.token.split('.')[1]!, 'base64url').toString()) as { cid: string };
  return { result, path: page!.home, courseId: payload.cid, token: page!.token };
}

/** What the launch page hands its script: the token, the home path and any platform-storage check. */
export function readLaunchPage(html: string): { token: string; home: string; check: unknown } | null {
  const el = html.match(/<div id="lti-launch"[^>]*>/)?.[0];
  if (!el) return null;
  const attr = (name: string) => el.match(new RegExp(`data-${name}="([^"]*)"`))?.[1]?.replace(/&#34;/g, '"').replace(/&amp;/g, '&');
  const check = attr('check');
  return { token: attr('token') ?? '', home: attr('home') ?? '', check: check ? JSON.parse(check) : null };
}

/** GET with a token and nothing else. Kept for test/e2e; other tests send requests with htmx() (./htmx.ts). */
export function getWithToken(app: Pick<TestApp, 'baseUrl'>, path: string, token: string, headers: Record<string, string> = {}) {
  return htmx(app, { token }, path, { direct: true, headers });
}

export const people = {
  instructor: (): SimUser => ({ sub: 'inst-1', name: 'Grace Hopper', givenName: 'Grace', familyName: 'Hopper', email: 'grace@example.edu', roles: [ROLES.instructor] }),
  tutor: (): SimUser => ({ sub: 'ta-1', name: 'Maya Chen', givenName: 'Maya', familyName: 'Chen', email: 'maya@example.edu', roles: [ROLES.teachingAssistant, ROLES.institutionStudent] }),
  student: (): SimUser => ({ sub: 'stu-1', name: 'Priya Natarajan', givenName: 'Priya', familyName: 'Natarajan', email: 'priya@example.edu', roles: [ROLES.learner] }),
  admin: (): SimUser => ({ sub: 'adm-1', name: 'Ada Admin', email: 'ada@example.edu', roles: [ROLES.institutionAdmin] }),
};

export async function countRows(db: Db) {
  const [u, c, m] = await Promise.all([db.$count(users), db.$count(courses), db.$count(memberships)]);
  return { users: u, courses: c, memberships: m };
}

/** The text of the page's h1, with tags removed (character references stay as written). */
export function h1Of(html: string): string {
  return (html.match(/<h1[^>]*>([\s\S]*?)<\/h1>/)?.[1] ?? '').replace(/<[^>]+>/g, '').trim();
}
