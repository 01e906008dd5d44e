// Launch helpers: a full LTI launch from the simulator, and page requests with the token it gave.
import { expect } from 'chai';
import type { Db } from '../../src/db/client.js';
import { courses, memberships, users } from '../../src/db/schema.js';
import type { TestApp } from './app.js';
import type { LaunchInput, LaunchResult, PlatformSimulator, SimUser } from './platform-simulator.js';
import { ROLES } from './platform-simulator.js';

export interface Launched {
  result: LaunchResult;
  /** The role home the launch redirected to, without the token. */
  path: string;
  courseId: string;
  token: string;
}

/** Launches and expects success: a 303 to a role home carrying the token. */
export async function launchAs(app: TestApp, sim: PlatformSimulator, input: LaunchInput): Promise<Launched> {
  const result = await sim.launch(app.tool, input);
  expect(result.status, `launch failed: ${result.body.slice(0, 400)}`).to.equal(303);
  const location = new URL(result.location!, app.baseUrl);
  const token = location.searchParams.get('lt');
  expect(token, 'launch redirect carries a token').to.be.a('string');
  // The token names its course; an administrator's home (/admin/settings) does not.
  const payload = JSON.parse(Buffer.from(token!.split('.')[1]!, 'base64url').toString()) as { cid: string };
  return { result, path: location.pathname, courseId: payload.cid, token: token! };
}

/** GET a page as the person holding the token, the way htmx does after the first page. */
export function getWithToken(app: TestApp, path: string, token: string, headers: Record<string, string> = {}) {
  return fetch(new URL(path, app.baseUrl), { headers: { Authorization: `Bearer ${token}`, ...headers }, redirect: 'manual' });
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

/** The text of the page's h1, with tags removed. */
export function h1Of(html: string): string {
  return (html.match(/<h1[^>]*>([\s\S]*?)<\/h1>/)?.[1] ?? '').replace(/<[^>]+>/g, '').trim();
}
