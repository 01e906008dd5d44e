// Site tutors: a campus tutoring centre's tutor serves several communities. A site administrator
// chooses them; the tutor schedules in exactly those (and their own), is found there by Find by
// tags beside the course's own tutors, and is refused in any other community.
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { memberships, roleChanges, sessionSeries, tutorDesignations, users } from '../../src/db/schema.js';
import { fixedClock, useSimulatedLms } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { launchAs, people, type Launched } from '../support/launch.js';
import { ROLES } from '../support/platform-simulator.js';
import { weeklySessionForm } from '../support/sessions.js';
import { textOf } from '../support/text.js';

const CENTRE = { id: 'centre', title: 'Tutoring Centre' };
const COURSES = { a: { id: 'chem-a', title: 'Chemistry A' }, b: { id: 'phys-b', title: 'Physics B' }, c: { id: 'math-c', title: 'Maths C' } };
const siteTutor = { sub: 'centre-tutor', name: 'Sam Centre', email: 'sam@example.edu', roles: [ROLES.teachingAssistant] };

describe('Site tutors', () => {
  const lms = useSimulatedLms({ app: { clock: fixedClock('2027-03-01T12:00:00Z') } });
  const db = () => lms.app.database.db;
  let admin: Launched;
  let sam: Launched;
  const instructors = {} as Record<'a' | 'b' | 'c', Launched>;
  const idOf = async (sub: string) => (await db().select({ id: users.id }).from(users).where(eq(users.sub, sub)))[0]!.id;
  const chooseCommunities = async (keys: ('a' | 'b' | 'c')[]) =>
    htmx(lms.app, admin, `/admin/site-tutors/${await idOf(siteTutor.sub)}`, { method: 'POST', fields: { courseIds: keys.map((k) => instructors[k].courseId) } });
  const schedule = async (key: 'a' | 'b' | 'c', startTime: string) =>
    htmx(lms.app, sam, `/c/${sam.courseId}/sessions`, {
      method: 'POST',
      fields: weeklySessionForm({ courseId: instructors[key].courseId, tutorIds: await idOf(siteTutor.sub), name: `Sam in ${key}`, repeat: 'none', startTime }),
    });

  before(async () => {
    admin = await launchAs(lms.app, lms.sim, { user: people.admin(), context: CENTRE });
    sam = await launchAs(lms.app, lms.sim, { user: siteTutor, context: CENTRE });
    for (const key of ['a', 'b', 'c'] as const) {
      instructors[key] = await launchAs(lms.app, lms.sim, { user: { sub: `inst-${key}`, name: `Instructor ${key.toUpperCase()}`, roles: [ROLES.instructor] }, context: COURSES[key] });
    }
    await launchAs(lms.app, lms.sim, { user: { sub: 'ta-a', name: 'Alex Course-Tutor', roles: [ROLES.teachingAssistant] }, context: COURSES.a });
    await launchAs(lms.app, lms.sim, { user: { sub: 'stu-a', name: 'Stu Dent', roles: [ROLES.learner] }, context: COURSES.a });
  });

  it('When a site administrator opens Site tutors, then every tutor of the site is listed with where they tutor', async () => {
    const text = textOf(await (await htmx(lms.app, admin, '/admin/site-tutors')).text());
    expect(text).to.contain('2 tutors. Showing 1–2.');
    expect(text).to.contain('Alex Course-Tutor Chemistry A None Choose communities for Alex Course-Tutor');
    expect(text).to.contain('Sam Centre sam@example.edu Tutoring Centre None Choose communities for Sam Centre');
  });

  it('When the administrator makes Sam a site tutor of A and B, then Sam’s Community list offers exactly Centre, A and B', async () => {
    const saved = await chooseCommunities(['a', 'b']);
    expect(saved.status).to.equal(200);
    expect(textOf(await saved.text())).to.contain('Sam Centre is a site tutor of 2 communities.');
    const form = await (await htmx(lms.app, sam, `/c/${sam.courseId}/sessions/new`)).text();
    const options = [...form.matchAll(/<option value="[^"]+"(?: selected)?>([^<]+)<\/option>/g)].map((m) => m[1]);
    const communities = options.filter((o) => ['Tutoring Centre', 'Chemistry A', 'Physics B', 'Maths C'].includes(o!));
    expect(communities).to.deep.equal(['Chemistry A', 'Physics B', 'Tutoring Centre']);
    const listed = textOf(await (await htmx(lms.app, admin, '/admin/site-tutors', { fields: { q: 'sam' } })).text());
    expect(listed).to.contain('Sam Centre sam@example.edu Chemistry A, Physics B, Tutoring Centre Chemistry A, Physics B');
  });

  it('When Sam schedules in A and in B, then both are saved; in C, then it is refused with a clear reason and nothing is saved', async () => {
    expect((await schedule('a', '10:00')).status).to.equal(303);
    expect((await schedule('b', '12:00')).status).to.equal(303);
    const refused = await schedule('c', '14:00');
    expect(refused.status).to.equal(403);
    expect(textOf(await refused.text())).to.contain('You can schedule sessions only in communities where you are a tutor, an instructor or an administrator.');
    const saved = await db().select({ name: sessionSeries.name, courseId: sessionSeries.courseId }).from(sessionSeries);
    expect(saved).to.have.deep.members([
      { name: 'Sam in a', courseId: instructors.a.courseId },
      { name: 'Sam in b', courseId: instructors.b.courseId },
    ]);
  });

  it('When Sam chooses community A in the form, then its people are offered, and Find by tags ranks A’s course tutor and Sam alike', async () => {
    const attendance = textOf(await (await htmx(lms.app, sam, `/c/${sam.courseId}/sessions/new`, { fields: { courseId: instructors.a.courseId } })).text());
    expect(attendance).to.match(/Tutors .*Alex Course-Tutor .*Instructor A \(instructor\) .*Sam Centre .*Students .*Stu Dent/);
    await htmx(lms.app, admin, `/c/${admin.courseId}/tags/topic`, { method: 'POST', fields: { name: 'Titration' }, target: 'tags-topic' });
    const tagId = (await db().query.tags.findFirst())!.id;
    expect((await htmx(lms.app, sam, `/c/${sam.courseId}/settings/expertise`, { method: 'PUT', fields: { tagIds: tagId }, target: 'expertise' })).status).to.equal(200);
    const found = textOf(await (await htmx(lms.app, sam, `/c/${sam.courseId}/sessions/find-tutors`, { fields: { courseId: instructors.a.courseId, tagIds: tagId } })).text());
    expect(found).to.match(/^Tutors Sam Centre · 1 matching tag Alex Course-Tutor · no matching tags Instructor A \(instructor\) · no matching tags/);
    const elsewhere = await htmx(lms.app, sam, `/c/${sam.courseId}/sessions/find-tutors`, { fields: { courseId: instructors.c.courseId, tagIds: tagId } });
    expect(elsewhere.status).to.equal(403);
  });

  it('When A’s instructor schedules, then Sam is in their Tutors picker, and A’s Tutors page shows Sam as a site tutor', async () => {
    const form = textOf(await (await htmx(lms.app, instructors.a, `/c/${instructors.a.courseId}/sessions/new`)).text());
    expect(form).to.match(/Tutors .*Sam Centre/);
    const page = textOf(await (await htmx(lms.app, instructors.a, `/c/${instructors.a.courseId}/tutors`)).text());
    expect(page).to.contain('Sam Centre sam@example.edu Not in the LMS course Tutor (site tutor) Site tutor: Site settings › Site tutors');
    const formC = textOf(await (await htmx(lms.app, instructors.c, `/c/${instructors.c.courseId}/sessions/new`)).text());
    expect(formC).not.to.contain('Sam Centre');
  });

  it('When the course-roster side ends Sam in B, then Sam stays a site tutor there (Sam was never an LMS member of B)', async () => {
    const outcome = await lms.app.built.services.courses.endMembership(instructors.b.courseId, await idOf(siteTutor.sub));
    expect(outcome).to.deep.equal({ changed: false, from: 'tutor', to: 'tutor' });
  });

  it('When the administrator takes A away, then Sam can no longer schedule in A, and the change is logged', async () => {
    expect((await chooseCommunities(['b'])).status).to.equal(200);
    const refused = await schedule('a', '16:00');
    expect(refused.status).to.equal(403);
    const [inA] = await db().select().from(memberships).where(and(eq(memberships.userId, await idOf(siteTutor.sub)), eq(memberships.courseId, instructors.a.courseId)));
    expect(inA!.endedAt).to.be.an.instanceOf(Date);
    const log = textOf(await (await htmx(lms.app, admin, '/admin/role-changes')).text());
    expect(log).to.contain('Site tutor communities Sam Centre Whole site Chemistry A, Physics B Physics B Ada Admin');
    expect(log).to.contain('Site tutor communities Sam Centre Whole site no communities Chemistry A, Physics B Ada Admin');
  });

  it('When the form names a community of another site or a person who tutors nowhere, then it is refused and nothing changes', async () => {
    const before = await db().select().from(tutorDesignations);
    const bad = await htmx(lms.app, admin, `/admin/site-tutors/${await idOf(siteTutor.sub)}`, { method: 'POST', fields: { courseIds: ['00000000-0000-4000-8000-000000000000'] } });
    expect(bad.status).to.equal(422);
    expect(textOf(await bad.text())).to.contain('Choose communities from the list');
    const student = await htmx(lms.app, admin, `/admin/site-tutors/${await idOf('stu-a')}`, { method: 'POST', fields: { courseIds: instructors.c.courseId } });
    expect(student.status).to.equal(404);
    expect(await db().select().from(tutorDesignations)).to.deep.equal(before);
    expect((await db().select().from(roleChanges).where(eq(roleChanges.kind, 'site_tutor'))).length).to.equal(2);
  });
});
