// The Tutors page: an instructor makes someone a tutor whatever the LMS sends (Moodle sends only
// Instructor and Learner), the role lasts across launches, ends when the person leaves the
// course, and every change is in the site's role-change log.
import { expect } from 'chai';
import { and, eq, inArray } from 'drizzle-orm';
import { courses, memberships, roleChanges, tutorDesignations, users } from '../../src/db/schema.js';
import { fixedClock, useSimulatedLms } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { launchAs, people, type Launched } from '../support/launch.js';
import { ROLES } from '../support/platform-simulator.js';
import { textOf } from '../support/text.js';

const MOODLE_COURSE = { id: 'moodle-bio', title: 'Moodle Biology' };
/** A Moodle non-editing teacher: Moodle sends Instructor for them, never a tutor role. */
const tutor1 = { sub: 'moodle-tutor-1', name: 'Tutor One', email: 'tutor1@example.edu', roles: [ROLES.instructor] };
const peer = { sub: 'moodle-peer', name: 'Pat Peer', email: 'pat@example.edu', roles: [ROLES.learner] };

describe('Tutors page', () => {
  const clock = fixedClock('2027-03-01T12:00:00Z');
  const lms = useSimulatedLms({ app: { clock } });
  const db = () => lms.app.database.db;
  let instructor: Launched;
  const idOf = async (sub: string) => (await db().select({ id: users.id }).from(users).where(eq(users.sub, sub)))[0]!.id;
  const membershipOf = async (sub: string, courseId: string) =>
    (await db().select().from(memberships).where(and(eq(memberships.userId, await idOf(sub)), eq(memberships.courseId, courseId))))[0]!;
  const tutorsPage = (who: Launched, fields: Record<string, string> = {}, target?: string) => htmx(lms.app, who, `/c/${who.courseId}/tutors`, { fields, target });
  const act = async (who: Launched, sub: string, action: 'make' | 'remove') => {
    const id = await idOf(sub);
    return htmx(lms.app, who, `/c/${who.courseId}/tutors/${id}${action === 'remove' ? '/remove' : ''}`, { method: 'POST', fields: {}, target: `person-${id}` });
  };

  before(async () => {
    instructor = await launchAs(lms.app, lms.sim, { user: people.instructor(), context: MOODLE_COURSE });
    await launchAs(lms.app, lms.sim, { user: tutor1, context: MOODLE_COURSE });
    await launchAs(lms.app, lms.sim, { user: peer, context: MOODLE_COURSE });
    await launchAs(lms.app, lms.sim, { user: people.tutor(), context: MOODLE_COURSE });
  });

  it('When an instructor opens Tutors, then they see each person with their LMS role and TutorKit role', async () => {
    const res = await tutorsPage(instructor);
    const text = textOf(await res.text());
    expect(res.status).to.equal(200);
    expect(text).to.contain('Tutors Moodle Biology');
    expect(text).to.contain('Tutor One tutor1@example.edu Instructor Instructor (from the LMS role) Make tutor Tutor One');
    expect(text).to.contain('Pat Peer pat@example.edu Learner Student (from the LMS role) Make tutor Pat Peer');
    expect(text).to.contain('Maya Chen maya@example.edu Teaching assistant, Student (institution) Tutor (from the LMS role) Tutor by the LMS');
    // Nobody changes their own role: the instructor's row has no button.
    expect(text).to.match(/Grace Hopper grace@example\.edu Instructor Instructor \(from the LMS role\) (Maya|Pat)/);
  });

  it('When the instructor searches by name or email, then only the matching people are listed, in place', async () => {
    const byName = await tutorsPage(instructor, { q: 'tutor one' }, 'people');
    const html = await byName.text();
    expect(html).not.to.contain('<html');
    expect(textOf(html)).to.contain('1 person matches “tutor one”');
    expect(textOf(html)).to.contain('Tutor One').and.not.contain('Pat Peer');
    const byEmail = textOf(await (await tutorsPage(instructor, { q: 'pat@' }, 'people')).text());
    expect(byEmail).to.contain('Pat Peer').and.not.contain('Tutor One');
    const wildcard = textOf(await (await tutorsPage(instructor, { q: '%' }, 'people')).text());
    expect(wildcard).to.contain('No one matches “%”.');
  });

  it('When a course has many people, then the list comes a page of 25 at a time, searchable across every page', async () => {
    const courseId = instructor.courseId;
    const [course] = await db().select({ platformId: courses.platformId }).from(courses).where(eq(courses.id, courseId));
    const many = await db()
      .insert(users)
      .values(Array.from({ length: 56 }, (_, i) => ({ platformId: course!.platformId, sub: `bulk-${i}`, name: `Bulk Learner ${String(i).padStart(2, '0')}` })))
      .returning({ id: users.id });
    await db().insert(memberships).values(many.map((u) => ({ courseId, userId: u.id, role: 'student' as const, lmsRole: 'student' as const, ltiRoles: [ROLES.learner] })));
    const first = await (await tutorsPage(instructor, {}, 'people')).text();
    expect(textOf(first)).to.contain('60 people. Showing 1–25.');
    expect(textOf(first)).to.contain('Page 1 of 3 Next page');
    expect(first).to.contain(`hx-get="/c/${courseId}/tutors?page=2"`);
    const last = textOf(await (await tutorsPage(instructor, { page: '3' }, 'people')).text());
    expect(last).to.contain('60 people. Showing 51–60.');
    expect(last).to.contain('Bulk Learner 55').and.not.contain('Bulk Learner 00');
    expect(textOf(await (await tutorsPage(instructor, { page: '99' }, 'people')).text()), 'past the end: the last page').to.contain('Showing 51–60.');
    const searched = textOf(await (await tutorsPage(instructor, { q: 'Bulk Learner 5' }, 'people')).text());
    expect(searched).to.contain('6 people match “Bulk Learner 5”. Showing 1–6.');
    expect(textOf(await (await tutorsPage(instructor, { show: 'tutors' }, 'people')).text())).to.contain('1 tutor. Showing 1–1. Name').and.contain('Maya Chen');
    await db().delete(users).where(inArray(users.id, many.map((u) => u.id)));
  });

  it('When the instructor makes a Moodle Instructor-only person a tutor, then their next launch lands on the tutor’s page, and they are in the Tutors picker and Find by tags', async () => {
    const tutor1Before = await launchAs(lms.app, lms.sim, { user: tutor1, context: MOODLE_COURSE });
    expect(tutor1Before.path).to.match(/\/portal$/);
    const made = await act(instructor, tutor1.sub, 'make');
    const row = await made.text();
    expect(made.status).to.equal(200);
    expect(textOf(row)).to.contain('Tutor One tutor1@example.edu Instructor Tutor (made a tutor in TutorKit) Remove tutor role of Tutor One');
    expect(textOf(row)).to.contain('Tutor One is now a tutor of Moodle Biology.');
    expect(row).to.contain('hx-swap-oob="innerHTML"');

    // The token from before says instructor: it opens nothing more; the person opens TutorKit again.
    const stale = await htmx(lms.app, tutor1Before, tutor1Before.path);
    expect([stale.status, stale.headers.get('hx-redirect')]).to.deep.equal([401, '/role-changed']);

    const tutor1Now = await launchAs(lms.app, lms.sim, { user: tutor1, context: MOODLE_COURSE });
    expect(tutor1Now.path).to.equal(`/c/${tutor1Now.courseId}/dashboard`);
    const home = await (await htmx(lms.app, tutor1Now, tutor1Now.path)).text();
    expect(home).to.contain('<span class="who-role">Tutor</span>');

    // Tutor One tells TutorKit what they can help with; the instructor's Add sessions form finds them.
    await htmx(lms.app, instructor, `/c/${instructor.courseId}/tags/topic`, { method: 'POST', fields: { name: 'Cell biology' }, target: 'tags-topic' });
    const tagId = (await db().query.tags.findFirst())!.id;
    const saved = await htmx(lms.app, tutor1Now, `/c/${tutor1Now.courseId}/settings/expertise`, { method: 'PUT', fields: { tagIds: tagId }, target: 'expertise' });
    expect(saved.status).to.equal(200);
    const form = textOf(await (await htmx(lms.app, instructor, `/c/${instructor.courseId}/sessions/new`)).text());
    expect(form).to.match(/Tutors .*Maya Chen .*Tutor One/);
    expect(form).not.to.contain('Tutor One (instructor)');
    const found = textOf(await (await htmx(lms.app, instructor, `/c/${instructor.courseId}/sessions/find-tutors`, { fields: { tagIds: tagId } })).text());
    expect(found).to.match(/^Tutors .*Tutor One · 1 matching tag .*Maya Chen · no matching tags/);
  });

  it('When a tutor made in TutorKit launches again with Learner or Instructor, then they stay a tutor', async () => {
    for (const roles of [[ROLES.learner], [ROLES.instructor], [ROLES.instructor, ROLES.learner]]) {
      const again = await launchAs(lms.app, lms.sim, { user: { ...tutor1, roles }, context: MOODLE_COURSE });
      expect(again.path, roles.join(' ')).to.match(/\/dashboard$/);
      expect(await membershipOf(tutor1.sub, again.courseId)).to.include({ role: 'tutor', roleSource: 'designated', lmsRole: roles.length === 1 && roles[0] === ROLES.learner ? 'student' : 'instructor' });
    }
  });

  it('When a student is made a tutor in course A, then they are still a student in course B', async () => {
    const inB = await launchAs(lms.app, lms.sim, { user: peer, context: { id: 'other', title: 'Other course' } });
    expect((await act(instructor, peer.sub, 'make')).status).to.equal(200);
    const inA = await launchAs(lms.app, lms.sim, { user: peer, context: MOODLE_COURSE });
    expect(inA.path).to.match(/\/dashboard$/);
    expect(await membershipOf(peer.sub, inA.courseId)).to.include({ role: 'tutor' });
    expect(await membershipOf(peer.sub, inB.courseId)).to.include({ role: 'student' });
    // A student of course B: Add sessions is not theirs there, though it is in course A.
    expect((await htmx(lms.app, inB, `/c/${inB.courseId}/sessions/new`)).status).to.equal(403);
    expect((await htmx(lms.app, inA, `/c/${inA.courseId}/sessions/new`)).status).to.equal(200);
  });

  it('When the instructor takes the tutor role back, then the person has their LMS role again and the page says so', async () => {
    const res = await act(instructor, peer.sub, 'remove');
    const text = textOf(await res.text());
    expect(text).to.contain('Pat Peer pat@example.edu Learner Student (from the LMS role) Make tutor Pat Peer');
    expect(text).to.contain('Pat Peer is no longer a tutor of Moodle Biology: they are a student again, as in the LMS.');
    const again = await launchAs(lms.app, lms.sim, { user: peer, context: MOODLE_COURSE });
    expect(again.path).to.match(/\/dashboard$/);
    expect(await membershipOf(peer.sub, again.courseId)).to.include({ role: 'student', roleSource: 'lms' });
  });

  it('When the instructor tries to change their own role, or someone outside the course, then it is refused and nothing changes', async () => {
    const own = await act(instructor, people.instructor().sub, 'make');
    expect(own.status).to.equal(409);
    expect(textOf(await own.text())).to.contain('You cannot change your own role.');
    const outsider = await launchAs(lms.app, lms.sim, { user: { sub: 'elsewhere', name: 'Elsa Where', roles: [ROLES.learner] }, context: { id: 'elsewhere', title: 'Elsewhere' } });
    const refused = await act(instructor, 'elsewhere', 'make');
    expect(refused.status).to.equal(404);
    expect(await membershipOf('elsewhere', outsider.courseId)).to.include({ role: 'student' });
    expect(await membershipOf(people.instructor().sub, instructor.courseId)).to.include({ role: 'instructor' });
  });

  it('When a tutor made in TutorKit leaves the course (endMembership), then their membership and designation end, their token opens nothing, and a return brings their LMS role only', async () => {
    const courseId = instructor.courseId;
    const userId = await idOf(tutor1.sub);
    const before = await launchAs(lms.app, lms.sim, { user: tutor1, context: MOODLE_COURSE });
    const outcome = await lms.app.built.services.courses.endMembership(courseId, userId);
    expect(outcome).to.deep.equal({ changed: true, from: 'tutor', to: 'none' });
    const row = await membershipOf(tutor1.sub, courseId);
    expect(row.endedAt).to.be.an.instanceOf(Date);
    expect(row.lmsRole).to.equal(null);
    const designations = await db().select().from(tutorDesignations).where(and(eq(tutorDesignations.userId, userId), eq(tutorDesignations.courseId, courseId)));
    expect(designations.every((d) => d.endedAt !== null)).to.equal(true);
    const refused = await htmx(lms.app, before, before.path);
    expect(refused.status).to.equal(403);
    expect(textOf(await (await tutorsPage(instructor)).text())).not.to.contain('Tutor One');
    // Ending again changes nothing (roster sync may report the same person twice).
    expect(await lms.app.built.services.courses.endMembership(courseId, userId)).to.include({ changed: false });
    const back = await launchAs(lms.app, lms.sim, { user: tutor1, context: MOODLE_COURSE });
    expect(back.path).to.match(/\/portal$/);
    expect(await membershipOf(tutor1.sub, courseId)).to.include({ role: 'instructor', roleSource: 'lms', endedAt: null });
  });

  it('When a site administrator opens Role changes, then every change is listed newest first, with who made it and from what to what', async () => {
    const admin = await launchAs(lms.app, lms.sim, { user: people.admin(), context: MOODLE_COURSE });
    const text = textOf(await (await htmx(lms.app, admin, '/admin/role-changes')).text());
    const rows = await db().select().from(roleChanges);
    expect(rows.map((r) => r.kind)).to.include.members(['designated', 'designation_removed', 'left_course', 'launch']);
    expect(text).to.contain(`${rows.length} role changes, newest first.`);
    expect(text).to.contain('Made a tutor Tutor One Moodle Biology instructor tutor Grace Hopper');
    expect(text).to.contain('Tutor role taken back Pat Peer Moodle Biology tutor student Grace Hopper');
    expect(text).to.contain('Left the course Tutor One Moodle Biology tutor none The LMS');
    expect(text.indexOf('Role changed at launch Tutor One Moodle Biology none instructor The LMS')).to.be.lessThan(text.indexOf('Left the course Tutor One'));
  });

  it('When a site administrator opens a community’s Tutors page from Site settings, then they can make a tutor there too', async () => {
    const admin = await launchAs(lms.app, lms.sim, { user: people.admin(), context: { id: 'admin-home', title: 'Admin home' } });
    const list = textOf(await (await htmx(lms.app, admin, '/admin/communities', { fields: { q: 'moodle' } })).text());
    expect(list).to.contain('1 community matching “moodle”');
    expect(list).to.contain('Moodle Biology');
    const base = `/admin/communities/${instructor.courseId}/tutors`;
    expect(textOf(await (await htmx(lms.app, admin, base)).text())).to.contain('Tutors Moodle Biology');
    const id = await idOf(peer.sub);
    const made = await htmx(lms.app, admin, `${base}/${id}`, { method: 'POST', fields: {}, target: `person-${id}` });
    expect(textOf(await made.text())).to.contain('Pat Peer is now a tutor of Moodle Biology.');
    expect(await membershipOf(peer.sub, instructor.courseId)).to.include({ role: 'tutor', roleSource: 'designated' });
  });
});
