// Every route behind the launch, for every role, in the right course and the wrong one.
import { expect } from 'chai';
import type { Role } from '../../src/lib/session-token.js';
import { useSimulatedLms, type TestApp } from '../support/app.js';
import { getWithToken, h1Of, launchAs, people, type Launched } from '../support/launch.js';
import type { PlatformSimulator } from '../support/platform-simulator.js';

/** Course-scoped routes and the roles that may open them. Add every new route here. */
const COURSE_ROUTES: { path: (courseId: string) => string; allowed: Role[] }[] = [
  { path: (c) => `/c/${c}/sessions`, allowed: ['instructor', 'tutor', 'student', 'admin'] },
  { path: (c) => `/c/${c}/sessions/new`, allowed: ['instructor', 'tutor', 'admin'] },
  { path: (c) => `/c/${c}/portal`, allowed: ['instructor', 'admin'] },
  { path: (c) => `/c/${c}/tags`, allowed: ['instructor', 'admin'] },
  { path: (c) => `/c/${c}/settings`, allowed: ['instructor', 'tutor', 'student', 'admin'] },
];
/** Site-wide routes and whether a site administrator is needed. */
const SITE_ROUTES = [
  { path: '/admin/settings', adminOnly: true, shows: 'Registered LMS platforms' },
  { path: '/admin/deliveries', adminOnly: true, shows: 'Email delivery log' },
];

const ROLES: Role[] = ['instructor', 'tutor', 'student', 'admin'];

describe('Authorization', () => {
  const lms = useSimulatedLms();
  let app: TestApp;
  let sim: PlatformSimulator;
  const inCourseA = {} as Record<Role, Launched>;
  let courseB: string;

  before(async () => {
    ({ app, sim } = lms);
    for (const role of ROLES) inCourseA[role] = await launchAs(app, sim, { user: people[role](), context: { id: 'course-a', title: 'Course A' } });
    courseB = (await launchAs(app, sim, { user: { ...people.instructor(), sub: 'inst-b' }, context: { id: 'course-b', title: 'Course B' } })).courseId;
  });

  for (const route of COURSE_ROUTES) {
    for (const role of ROLES) {
      const allowed = route.allowed.includes(role);
      it(`When a ${role} opens ${route.path(':course')} of their course, then they ${allowed ? 'see it' : 'get 403'}`, async () => {
        const { token, courseId } = inCourseA[role];
        const res = await getWithToken(app, route.path(courseId), token);
        const html = await res.text();
        expect(res.status).to.equal(allowed ? 200 : 403);
        if (!allowed) expect(h1Of(html)).to.equal('Not allowed');
        expect(html).to.contain(allowed ? 'Course A' : 'does not give access');
      });

      it(`When a ${role} of course A opens ${route.path(':course')} of course B, then they get 403 and nothing of B`, async () => {
        const res = await getWithToken(app, route.path(courseB), inCourseA[role].token);
        const html = await res.text();
        expect(res.status).to.equal(403);
        expect(html).not.to.contain('Course B');
        expect(html).to.contain('course you did not open TutorKit from');
      });
    }

    it(`When nobody is signed in, then ${route.path(':course')} answers 401 with the relaunch notice`, async () => {
      const res = await fetch(new URL(route.path(inCourseA.student.courseId), app.baseUrl));
      expect(res.status).to.equal(401);
      expect(h1Of(await res.text())).to.equal('Your TutorKit session has ended');
    });
  }

  for (const route of SITE_ROUTES) {
    for (const role of ROLES) {
      const allowed = !route.adminOnly || role === 'admin';
      it(`When a ${role} opens ${route.path}, then they ${allowed ? 'see it' : 'get 403'}`, async () => {
        const res = await getWithToken(app, route.path, inCourseA[role].token);
        expect(res.status).to.equal(allowed ? 200 : 403);
        const html = await res.text();
        if (allowed) expect(html).to.contain(route.shows);
        else expect(html).not.to.contain(route.shows);
      });
    }
  }

  it('When an instructor who is also a site administrator launches, then they see the portal and a Site settings link', async () => {
    const both = await launchAs(app, sim, { user: { sub: 'inst-admin', name: 'Both Roles', roles: [people.instructor().roles[0]!, people.admin().roles[0]!] } });
    expect(both.path).to.match(/\/portal$/);
    const html = await (await getWithToken(app, both.path, both.token)).text();
    expect(html).to.contain('href="/admin/settings"');
    expect((await getWithToken(app, '/admin/settings', both.token)).status).to.equal(200);
  });

  it('When a membership is removed after the launch, then the token no longer opens the course', async () => {
    const user = { ...people.student(), sub: 'stu-removed' };
    const launched = await launchAs(app, sim, { user });
    const { memberships, users } = await import('../../src/db/schema.js');
    const { eq } = await import('drizzle-orm');
    const [row] = await app.database.db.select({ id: users.id }).from(users).where(eq(users.sub, 'stu-removed'));
    await app.database.db.delete(memberships).where(eq(memberships.userId, row!.id));
    const res = await getWithToken(app, launched.path, launched.token);
    expect(res.status).to.equal(403);
    expect(await res.text()).to.contain('not a member of this course');
  });

  it('When any page is requested cross-origin, then no CORS header grants access (ltijs CORS is off)', async () => {
    for (const path of [inCourseA.student.path, '/', '/lti/keys', '/lti/launch']) {
      const res = await fetch(new URL(path, app.baseUrl), { headers: { Origin: 'https://evil.example', Authorization: `Bearer ${inCourseA.student.token}` } });
      expect(res.headers.get('access-control-allow-origin'), path).to.equal(null);
      expect(res.headers.get('access-control-allow-credentials'), path).to.equal(null);
    }
  });
});
