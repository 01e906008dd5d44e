import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { courses, memberships, users } from '../../src/db/schema.js';
import { useSimulatedLms } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { countRows, h1Of, launchAs as launch, people } from '../support/launch.js';
import { ROLES, type LaunchInput } from '../support/platform-simulator.js';

describe('LTI launch', () => {
  const lms = useSimulatedLms();
  const launchAs = (input: LaunchInput) => launch(lms.app, lms.sim, input);

  const homes = [
    { who: 'instructor', user: people.instructor, path: /^\/c\/[^/]+\/portal$/, h1: 'Client portal', role: 'Instructor' },
    { who: 'tutor', user: people.tutor, path: /^\/c\/[^/]+\/dashboard$/, h1: 'Dashboard', role: 'Tutor' },
    { who: 'student', user: people.student, path: /^\/c\/[^/]+\/dashboard$/, h1: 'Dashboard', role: 'Student' },
    { who: 'admin', user: people.admin, path: /^\/admin\/settings$/, h1: 'Site settings', role: 'Administrator' },
  ] as const;

  for (const home of homes) {
    it(`When a ${home.who} launches, then they land on their home page and see who they are`, async () => {
      const launched = await launchAs({ user: home.user() });
      expect(launched.path).to.match(home.path);
      const page = await htmx(lms.app, launched, launched.path);
      const html = await page.text();
      expect(page.status).to.equal(200);
      expect(h1Of(html)).to.equal(home.h1);
      expect(html).to.contain(home.user().name!);
      expect(html).to.contain(`<span class="who-role">${home.role}</span>`);
      expect(html).to.contain('Tutoring 101');
    });
  }

  it('When a student launches, then the user, the course and a student membership are stored', async () => {
    const user = { ...people.student(), sub: 'stu-stored' };
    const launched = await launchAs({ user, context: { id: 'chem-201', label: 'CHEM 201', title: 'Organic Chemistry' } });
    const db = lms.app.database.db;
    const [course] = await db.select().from(courses).where(eq(courses.id, launched.courseId));
    expect(course).to.include({ contextId: 'chem-201', title: 'Organic Chemistry', label: 'CHEM 201' });
    const [stored] = await db.select().from(users).where(eq(users.sub, 'stu-stored'));
    expect(stored).to.include({ name: 'Priya Natarajan', email: 'priya@example.edu', givenName: 'Priya', isAdmin: false });
    const [membership] = await db.select().from(memberships).where(eq(memberships.userId, stored!.id));
    expect(membership).to.include({ courseId: launched.courseId, role: 'student' });
    expect(membership!.ltiRoles).to.deep.equal([ROLES.learner]);
  });

  it('When the same person launches again with a new name and role, then their rows are updated, not duplicated', async () => {
    const user = { ...people.student(), sub: 'stu-relaunch' };
    await launchAs({ user });
    const before = await countRows(lms.app.database.db);
    const again = await launchAs({ user: { ...user, name: 'Priya N. Rao', roles: [ROLES.mentor] } });
    expect(await countRows(lms.app.database.db)).to.deep.equal(before);
    expect(again.path).to.match(/\/dashboard$/);
    const [stored] = await lms.app.database.db.select().from(users).where(eq(users.sub, 'stu-relaunch'));
    expect(stored!.name).to.equal('Priya N. Rao');
    const [membership] = await lms.app.database.db.select().from(memberships).where(eq(memberships.userId, stored!.id));
    expect(membership!.role).to.equal('tutor');
  });

  it('When an LMS sends no name or email, then the person is stored as a course participant and keeps any email we had', async () => {
    const sub = 'stu-private';
    await launchAs({ user: { sub, email: 'kept@example.edu', roles: [ROLES.learner] } });
    await launchAs({ user: { sub, roles: [ROLES.learner] } });
    const [stored] = await lms.app.database.db.select().from(users).where(eq(users.sub, sub));
    expect(stored).to.include({ name: 'Course participant', email: 'kept@example.edu' });
  });

  it('When one person launches from two courses, then each token opens only its own course', async () => {
    const user = { ...people.tutor(), sub: 'ta-two-courses' };
    const a = await launchAs({ user, context: { id: 'course-a', title: 'Course A' } });
    const b = await launchAs({ user, context: { id: 'course-b', title: 'Course B' } });
    expect(a.courseId).to.not.equal(b.courseId);
    expect((await htmx(lms.app, a, `/c/${a.courseId}/sessions`)).status).to.equal(200);
    expect((await htmx(lms.app, a, `/c/${b.courseId}/sessions`)).status).to.equal(403);
  });
});
