// Every route behind the launch, for every role, in the right course and the wrong one. The routes
// come from the app's own router: a route the matrix below does not declare fails the suite.
import { expect } from 'chai';
import { and, asc, eq } from 'drizzle-orm';
import { CONTEXT_ROLE_NAMES, DEFAULT_ROLE_RULES, INSTITUTION_ROLE_NAMES, ruleField } from '../../src/courses/role-rules.js';
import * as schema from '../../src/db/schema.js';
import { fixedClock, useSimulatedLms, type TestApp } from '../support/app.js';
import { htmx, type Form } from '../support/htmx.js';
import { h1Of, launchAs, people, type Launched } from '../support/launch.js';
import { LTI_CLAIMS, ROLES as LTI_ROLES } from '../support/platform-simulator.js';
import { listRoutes, type RouteKey } from '../support/routes.js';
import { weeklySessionForm } from '../support/sessions.js';
import { textOf } from '../support/text.js';

type Role = 'instructor' | 'tutor' | 'student' | 'admin';
const ROLES: Role[] = ['instructor', 'tutor', 'student', 'admin'];
const EVERYONE = ROLES;
const SCHEDULERS: Role[] = ['instructor', 'tutor', 'admin'];
const STAFF: Role[] = ['instructor', 'admin'];
const TUTORING: Role[] = ['instructor', 'tutor'];

/** A course as the requests use it: its id, the ten sessions of its weekly series (start order), who tutors them. */
interface Course {
  id: string;
  occurrences: string[];
  tutorId: string;
}

/** How to call a route and who may. */
interface Call {
  allowed: Role[];
  /** A page: allowed roles get 200 and read the course's title (or this text, for site pages). */
  page?: true | string;
  /** The element the page's htmx swaps with the answer (HX-Target). */
  target?: string;
  /** The form it sends (in the query string for GET); every write declares one, `{}` for a bare button. */
  fields?: Form | ((on: Course, role: Role) => Form);
  /** Which session of the course's series the route acts on (default the first): saves get one per role. */
  occurrence?: (role: Role) => number;
}

const proposal = (on: Course): Form => ({ startDate: '2027-03-09', startTime: '16:00', zone: 'America/New_York', lengthValue: '1', lengthUnit: 'hours', repeat: 'none', tutorIds: on.tutorId });
const nth = (role: Role) => ROLES.indexOf(role);
/** The session of each course's series that the wrap-up routes act on: its meeting ran and ended. */
const RAN = 9;

/** Every route under /c/ and /admin. Add each new route here, with the roles its requireRole/requireAdmin allow. */
const MATRIX: Record<RouteKey, Call> = {
  'GET /c/:courseId/portal': { allowed: STAFF, page: true },
  'POST /c/:courseId/me/time-zone': { allowed: EVERYONE, fields: { zone: 'Asia/Tokyo' } },
  'GET /c/:courseId/tags': { allowed: STAFF, page: true },
  'POST /c/:courseId/tags/:category': { allowed: STAFF, target: 'tags-topic', fields: (_on, role) => ({ name: `Added by ${role}` }) },
  'PATCH /c/:courseId/tags/:category/:tagId': { allowed: STAFF, target: 'tags-topic', fields: (_on, role) => ({ name: `Renamed by ${role}` }) },
  'POST /c/:courseId/tags/:category/:tagId/retire': { allowed: STAFF, target: 'tags-topic', fields: {} },
  'POST /c/:courseId/tags/:category/:tagId/restore': { allowed: STAFF, target: 'tags-topic', fields: {} },
  'GET /c/:courseId/settings': { allowed: EVERYONE, page: true },
  'PUT /c/:courseId/settings/time-zone': { allowed: EVERYONE, target: 'time-zone-body', fields: { zone: 'Europe/Paris' } },
  // Whole days, every day: the sessions saved further down meet no availability conflict.
  'PUT /c/:courseId/settings/availability': { allowed: EVERYONE, target: 'weekly-hours-body', fields: Object.fromEntries([1, 2, 3, 4, 5, 6, 7].flatMap((d) => [[`from-${d}`, '00:00'], [`to-${d}`, '00:00']])) },
  'POST /c/:courseId/settings/exceptions': { allowed: EVERYONE, target: 'exceptions-body', fields: { date: '2031-06-02', kind: 'day_off' } },
  'DELETE /c/:courseId/settings/exceptions/:exceptionId': { allowed: EVERYONE, target: 'exceptions-body', fields: {} },
  'PUT /c/:courseId/settings/meeting-url': { allowed: TUTORING, target: 'meeting-url-body', fields: { meetingUrl: 'https://meet.example.edu/room-1' } },
  'PUT /c/:courseId/settings/reminders': { allowed: EVERYONE, target: 'notifications-body', fields: {} },
  'POST /c/:courseId/settings/feed': { allowed: EVERYONE, target: 'notifications-body', fields: {} },
  'DELETE /c/:courseId/settings/feed': { allowed: EVERYONE, target: 'notifications-body', fields: {} },
  'PUT /c/:courseId/settings/expertise': { allowed: TUTORING, target: 'expertise', fields: () => ({ tagIds: setUp.tagId }) },
  'GET /c/:courseId/sessions/assistant': { allowed: SCHEDULERS, target: 'assistant-body', fields: proposal },
  'GET /c/:courseId/sessions/assistant/next-free': { allowed: SCHEDULERS, target: 'assistant-body', fields: (on) => ({ ...proposal(on), assistantDate: '2027-03-09', assistantTime: '08:00', assistantMinutes: '60' }) },
  'GET /c/:courseId/sessions/assistant/later': { allowed: SCHEDULERS, target: 'assistant-later', fields: (on) => ({ ...proposal(on), repeat: 'weekly', interval: '1', weekdays: 'TU', endType: 'count', count: '3' }) },
  'GET /c/:courseId/sessions/new': { allowed: SCHEDULERS, page: true },
  'POST /c/:courseId/sessions': {
    allowed: SCHEDULERS,
    fields: (on, role) => weeklySessionForm({ courseId: on.id, tutorIds: on.tutorId, name: `Saved by ${role}`, repeat: 'none', startDate: `2027-05-0${3 + nth(role)}`, startTime: '10:00' }),
  },
  'POST /c/:courseId/sessions/conflicts': { allowed: SCHEDULERS, target: 'conflicts', fields: (on) => weeklySessionForm({ courseId: on.id, tutorIds: on.tutorId }) },
  'GET /c/:courseId/sessions/find-tutors': { allowed: SCHEDULERS, target: 'tutorIds', fields: () => ({ tagIds: setUp.tagId }) },
  'GET /c/:courseId/sessions/:occurrenceId': { allowed: EVERYONE, page: true },
  'GET /c/:courseId/sessions/:occurrenceId/edit': { allowed: SCHEDULERS, page: true },
  'POST /c/:courseId/sessions/:occurrenceId/edit': {
    allowed: SCHEDULERS,
    occurrence: (role) => 1 + nth(role),
    fields: (on, role) => weeklySessionForm({ courseId: on.id, tutorIds: on.tutorId, name: `Moved by ${role}`, scope: 'this', repeat: 'none', startDate: `2027-06-1${nth(role)}`, startTime: '11:00' }),
  },
  'GET /c/:courseId/sessions/:occurrenceId/cancel': { allowed: SCHEDULERS, page: true },
  'POST /c/:courseId/sessions/:occurrenceId/cancel': { allowed: SCHEDULERS, occurrence: (role) => 5 + nth(role), fields: { scope: 'this' } },
  'GET /c/:courseId/sessions': { allowed: EVERYONE, page: true },
  // The end of a session, on the course's last session, whose meeting ran and ended (set up below).
  // End meeting is for the session's tutors: instructors may tutor, but not this session.
  'GET /c/:courseId/sessions/:occurrenceId/feedback': { allowed: SCHEDULERS, page: true, occurrence: () => RAN },
  'POST /c/:courseId/sessions/:occurrenceId/feedback': { allowed: SCHEDULERS, occurrence: () => RAN, fields: () => ({ studentId: setUp.studentId, forStudent: 'Well done.', action: 'save' }) },
  'POST /c/:courseId/sessions/:occurrenceId/end': { allowed: ['tutor'], occurrence: () => RAN, fields: {} },
  'GET /c/:courseId/sessions/:occurrenceId/rating': { allowed: ['student'], page: true, occurrence: () => RAN },
  'POST /c/:courseId/sessions/:occurrenceId/rating': { allowed: ['student'], occurrence: () => RAN, fields: { stars: '4' } },
  // The Warmup room (its sessions are a week away here: stream, chat and start answer 409 "not open yet"). Who is invited,
  // who attended and which sessions are invited-only is checked beyond the role: test/meetings/room.test.ts.
  'GET /c/:courseId/sessions/:occurrenceId/room': { allowed: EVERYONE, page: true },
  'GET /c/:courseId/sessions/:occurrenceId/room/stream': { allowed: EVERYONE },
  // Instructors pass the role check (they may tutor) but are refused unless invited as the session's tutors.
  'POST /c/:courseId/sessions/:occurrenceId/room/start': { allowed: ['tutor'], fields: {} },
  'POST /c/:courseId/sessions/:occurrenceId/room/chat': { allowed: EVERYONE, target: 'room-chat-form', fields: { message: 'Hello, room' } },
  // Students who attended may read it too; the matrix's student did not attend this one (they attended the first).
  'GET /c/:courseId/sessions/:occurrenceId/transcript': { allowed: STAFF.concat('tutor'), page: true, occurrence: () => 1 },
  'GET /c/:courseId/dashboard': { allowed: EVERYONE, page: true },
  // Invitees answer (the tutor runs course A's series); any student, as the series is open to the course.
  'POST /c/:courseId/sessions/:occurrenceId/rsvp': { allowed: ['tutor', 'student'], fields: { response: 'going' } },
  'GET /c/:courseId/history': { allowed: EVERYONE, page: true },
  // The student attended the first session (see the set-up); a student who did not would get 403.
  'GET /c/:courseId/history/:occurrenceId': { allowed: EVERYONE, page: true },
  'GET /c/:courseId/tutors': { allowed: STAFF, page: true },
  'POST /c/:courseId/tutors/:userId': { allowed: STAFF, target: 'person', fields: {} },
  'POST /c/:courseId/tutors/:userId/remove': { allowed: STAFF, target: 'person', fields: {} },
  'GET /admin/settings': { allowed: ['admin'], page: 'Registered LMS platforms' },
  'GET /admin/deliveries': { allowed: ['admin'], page: 'Email delivery log' },
  'GET /admin/communities': { allowed: ['admin'], page: 'Course A' },
  'GET /admin/communities/:courseId/tutors': { allowed: ['admin'], page: 'Tutors Course A' },
  'POST /admin/communities/:courseId/tutors/:userId': { allowed: ['admin'], target: 'person', fields: {} },
  'POST /admin/communities/:courseId/tutors/:userId/remove': { allowed: ['admin'], target: 'person', fields: {} },
  'GET /admin/site-tutors': { allowed: ['admin'], page: 'Site tutors' },
  'GET /admin/site-tutors/:userId': { allowed: ['admin'], page: 'Site tutor: Dee Signee' },
  'POST /admin/site-tutors/:userId': { allowed: ['admin'], fields: (on) => ({ courseIds: on.id }) },
  'GET /admin/role-mapping': { allowed: ['admin'], page: 'Role mapping' },
  // The defaults again: the launches further down must find the mapping as it was.
  'POST /admin/role-mapping': { allowed: ['admin'], fields: () => defaultMapping() },
  'GET /admin/role-changes': { allowed: ['admin'], page: 'Role changes' },
};

/** The Role mapping form as it comes with the defaults. */
function defaultMapping(): Form {
  const form: Form = { customTutor: 'on' };
  for (const n of CONTEXT_ROLE_NAMES) form[ruleField('context', n)] = DEFAULT_ROLE_RULES.context[n]!;
  for (const n of INSTITUTION_ROLE_NAMES) form[ruleField('institution', n)] = DEFAULT_ROLE_RULES.institution[n]!;
  return form;
}

/**
 * What the requests need from the set-up: course A (where everyone launched), course B, a tag, each
 * person's date exception, and Dee Signee: a student of course A (and a tutor of course B) whom the
 * Tutors and Site tutors routes act on, and who sends no request.
 */
const setUp = {} as { a: Course; b: Course; tagId: string; exceptions: Record<Role, string>; designee: string; studentId: string };

describe('Authorization', () => {
  const lms = useSimulatedLms({ app: { clock: fixedClock('2027-03-01T12:00:00Z') } });
  let app: TestApp;
  let routes: RouteKey[];
  const inCourseA = {} as Record<Role, Launched>;
  const db = () => app.database.db;

  before(async () => {
    app = lms.app;
    routes = listRoutes(app.built.app).filter((r) => /^\S+ \/(c|admin)(\/|$)/.test(r));
    for (const role of ROLES) inCourseA[role] = await launchAs(app, lms.sim, { user: people[role](), context: { id: 'course-a', title: 'Course A' } });
    const instructorB = await launchAs(app, lms.sim, { user: { sub: 'inst-b', name: 'Bea Bishop', roles: [LTI_ROLES.instructor] }, context: { id: 'course-b', title: 'Course B' } });
    const designee = { sub: 'designee', name: 'Dee Signee' };
    await launchAs(app, lms.sim, { user: { ...designee, roles: [LTI_ROLES.learner] }, context: { id: 'course-a', title: 'Course A' } });
    await launchAs(app, lms.sim, { user: { ...designee, roles: [LTI_ROLES.teachingAssistant] }, context: { id: 'course-b', title: 'Course B' } });
    setUp.designee = await idOf('designee');
    setUp.a = await scheduleSeries(inCourseA.tutor, 'ta-1', 'Course A clinic');
    setUp.b = await scheduleSeries(instructorB, 'inst-b', 'Course B seminar');
    // The room's record of course A's last session: the tutor ran it with the student, an hour ago.
    setUp.studentId = await idOf('stu-1');
    const ran = { occurrenceId: setUp.a.occurrences[RAN]!, courseId: setUp.a.id };
    await db().insert(schema.meetings).values({ ...ran, startedBy: setUp.a.tutorId, startedAt: new Date('2027-03-01T10:00:00Z'), endedAt: new Date('2027-03-01T11:00:00Z'), endedBy: 'tutor' });
    await db().insert(schema.attendance).values([
      { ...ran, userId: setUp.a.tutorId, role: 'tutor', firstJoinedAt: new Date('2027-03-01T10:00:00Z'), lastSeenAt: new Date('2027-03-01T11:00:00Z') },
      { ...ran, userId: setUp.studentId, role: 'student', firstJoinedAt: new Date('2027-03-01T10:00:00Z'), lastSeenAt: new Date('2027-03-01T11:00:00Z') },
    ]);
    const joined = new Date('2027-03-09T21:00:00Z');
    await db().insert(schema.attendance).values({ occurrenceId: setUp.a.occurrences[0]!, userId: await idOf('stu-1'), courseId: setUp.a.id, role: 'student', firstJoinedAt: joined, lastSeenAt: joined });
    const tag = await htmx(app, inCourseA.instructor, `/c/${setUp.a.id}/tags/topic`, { method: 'POST', fields: { name: 'Algebra' }, target: 'tags-topic' });
    expect(tag.status).to.equal(200);
    setUp.tagId = (await db().select({ id: schema.tags.id }).from(schema.tags))[0]!.id;
    setUp.exceptions = {} as Record<Role, string>;
    for (const role of ROLES) {
      const added = await htmx(app, inCourseA[role], `/c/${setUp.a.id}/settings/exceptions`, { method: 'POST', fields: { date: '2031-05-07', kind: 'day_off' }, target: 'exceptions-body' });
      expect(added.status).to.equal(200);
      const [row] = await db().select({ id: schema.availabilityExceptions.id }).from(schema.availabilityExceptions).where(eq(schema.availabilityExceptions.userId, await idOf(people[role]().sub)));
      setUp.exceptions[role] = row!.id;
    }
  });

  async function idOf(sub: string): Promise<string> {
    return (await db().select({ id: schema.users.id }).from(schema.users).where(eq(schema.users.sub, sub)))[0]!.id;
  }

  /** Ten weekly sessions through the real Add sessions form, tutored by `sub`. */
  async function scheduleSeries(who: Launched, sub: string, name: string): Promise<Course> {
    const tutorId = await idOf(sub);
    const saved = await htmx(app, who, `/c/${who.courseId}/sessions`, { method: 'POST', fields: weeklySessionForm({ courseId: who.courseId, tutorIds: tutorId, name, count: '10' }) });
    expect(saved.status, await saved.clone().text()).to.equal(303);
    const rows = await db()
      .select({ id: schema.occurrences.id })
      .from(schema.occurrences)
      .innerJoin(schema.sessionSeries, eq(schema.sessionSeries.id, schema.occurrences.seriesId))
      .where(eq(schema.sessionSeries.name, name))
      .orderBy(asc(schema.occurrences.startsAt));
    return { id: who.courseId, occurrences: rows.map((r) => r.id), tutorId };
  }

  /** Every row a request behind the launch can write, to compare before and after a refusal. */
  async function stored(): Promise<string[]> {
    const tables = [
      ...[schema.users, schema.memberships, schema.tutorDesignations, schema.roleChanges, schema.platforms, schema.availabilityHours, schema.availabilityExceptions, schema.userExpertiseTags, schema.tags],
      ...[schema.sessionSeries, schema.seriesInvitees, schema.occurrences, schema.outbox, schema.meetings, schema.attendance, schema.meetingFeedback, schema.ratings],
    ];
    const all = await Promise.all(tables.map((table) => db().select().from(table)));
    return all.flatMap((rows, i) => rows.map((row) => `${i} ${JSON.stringify(row)}`)).sort();
  }

  /** Sends the route as the page's htmx would, as `who` (null: nobody) against `on`'s course. */
  function send(route: RouteKey, call: Call, who: Launched | null, role: Role, on: Course, direct = false) {
    const [method, pattern] = route.split(' ') as [string, string];
    const values: Record<string, string | undefined> = {
      courseId: on.id,
      occurrenceId: on.occurrences[call.occurrence?.(role) ?? 0],
      category: 'topic',
      tagId: setUp.tagId,
      exceptionId: setUp.exceptions[role],
      userId: setUp.designee,
    };
    const path = pattern.replace(/:(\w+)/g, (_m, name: string) => {
      if (!values[name]) throw new Error(`${route}: nothing fills :${name}; add a value for it to send() in this file`);
      return values[name];
    });
    const fields = typeof call.fields === 'function' ? call.fields(on, role) : call.fields;
    const target = call.target === 'person' ? `person-${setUp.designee}` : call.target;
    return htmx(app, who, path, { method, fields, target: direct ? undefined : target, direct });
  }

  it('When the router lists its routes, then the matrix declares each one under /c/ and /admin, and no route the router lacks', () => {
    const declared = Object.keys(MATRIX);
    const missing = routes.filter((r) => !declared.includes(r));
    const gone = declared.filter((r) => !routes.includes(r as RouteKey));
    expect(missing, `routes with no roles declared: add them to the matrix in test/routes/authorization.test.ts`).to.deep.equal([]);
    expect(gone, 'declared routes the router no longer has: remove them from the matrix').to.deep.equal([]);
    expect(routes.length, 'the router was read').to.be.greaterThan(20);
  });

  for (const [route, call] of Object.entries(MATRIX) as [RouteKey, Call][]) {
    const writes = !route.startsWith('GET ');
    const inCourse = route.includes('/c/:courseId');
    const reason = inCourse ? 'Your role in this course does not give access to this page.' : 'Site settings are for TutorKit administrators.';

    describe(route, () => {
      beforeEach(() => {
        if (writes && !call.fields) throw new Error(`${route}: declare the form it sends (fields, {} for a bare button)`);
        expect(routes, 'the router has this route').to.include(route);
      });

      for (const role of ROLES) {
        const allowed = call.allowed.includes(role);
        const who = `${role === 'instructor' || role === 'admin' ? 'an' : 'a'} ${role}`;
        it(`When ${who} ${inCourse ? 'of the course ' : ''}sends it, then ${allowed ? (call.page ? 'they see the page' : 'it is not refused') : `they get 403 Not allowed${writes ? ' and nothing changes' : ''}`}`, async () => {
          const before = writes ? await stored() : null;
          const res = await send(route, call, inCourseA[role], role, setUp.a);
          const body = await res.text();
          if (allowed) {
            expect(res.status, body.slice(0, 400)).not.to.be.oneOf([401, 403]);
            if (!call.page) return;
            expect(res.status, body.slice(0, 400)).to.equal(200);
            expect(textOf(body)).to.contain(call.page === true ? 'Course A' : call.page);
            return;
          }
          expect(res.status).to.equal(403);
          expect(res.headers.get('hx-retarget'), 'shown in the page’s message area').to.equal('#messages');
          expect(textOf(body)).to.contain(`Not allowed. ${reason}`);
          if (before) expect(await stored(), 'nothing stored changed').to.deep.equal(before);
          if (call.page) {
            const page = await send(route, call, inCourseA[role], role, setUp.a, true);
            expect([page.status, h1Of(await page.text())]).to.deep.equal([403, 'Not allowed']);
          }
        });

        if (!inCourse) continue;
        it(`When ${who} of course A sends it with course B’s id, then they get 403 and nothing of course B${writes ? ', and nothing changes' : ''}`, async () => {
          const before = writes ? await stored() : null;
          const responses = [await send(route, call, inCourseA[role], role, setUp.b)];
          if (call.page) responses.push(await send(route, call, inCourseA[role], role, setUp.b, true));
          for (const res of responses) {
            const body = await res.text();
            expect(res.status).to.equal(403);
            expect(textOf(body)).to.contain('This page belongs to a course you did not open TutorKit from.');
            for (const ofB of ['Course B', 'Bea Bishop']) expect(body).not.to.contain(ofB);
          }
          if (before) expect(await stored(), 'nothing stored changed').to.deep.equal(before);
        });
      }

      it(`When nobody is signed in, then it answers 401 and sends the page to the relaunch notice${writes ? ', and nothing changes' : ''}`, async () => {
        const before = writes ? await stored() : null;
        const res = await send(route, call, null, 'student', setUp.a);
        expect([res.status, res.headers.get('hx-redirect')]).to.deep.equal([401, '/expired']);
        if (before) expect(await stored(), 'nothing stored changed').to.deep.equal(before);
        if (call.page) {
          const page = await send(route, call, null, 'student', setUp.a, true);
          expect([page.status, h1Of(await page.text())]).to.deep.equal([401, 'Your TutorKit session has ended']);
        }
      });
    });
  }

  describe('Tutors who came by each path', () => {
    const courseA = { id: 'course-a', title: 'Course A' };
    const byPath = {} as Record<'the LMS role' | 'the custom parameter' | 'a designation' | 'a site administrator', { who: Launched; source: string }>;
    const learner = (sub: string) => ({ sub, name: `Tutor ${sub}`, roles: [LTI_ROLES.learner] });

    before(async () => {
      const admin = inCourseA.admin;
      byPath['the LMS role'] = { who: inCourseA.tutor, source: 'lms' };
      byPath['the custom parameter'] = { who: await launchAs(app, lms.sim, { user: learner('by-custom'), context: courseA, extraClaims: { [LTI_CLAIMS.custom]: { tutorkit_role: 'tutor' } } }), source: 'mapping' };
      await launchAs(app, lms.sim, { user: learner('by-designation'), context: courseA });
      const made = await htmx(app, inCourseA.instructor, `/c/${setUp.a.id}/tutors/${await idOf('by-designation')}`, { method: 'POST', fields: {} });
      expect(made.status).to.equal(200);
      byPath['a designation'] = { who: await launchAs(app, lms.sim, { user: learner('by-designation'), context: courseA }), source: 'designated' };
      // A tutor of course B whom the site administrator makes a site tutor of course A, where they are enrolled as a student.
      await launchAs(app, lms.sim, { user: { ...learner('by-site'), roles: [LTI_ROLES.teachingAssistant] }, context: { id: 'course-b', title: 'Course B' } });
      await launchAs(app, lms.sim, { user: learner('by-site'), context: courseA });
      const chosen = await htmx(app, admin, `/admin/site-tutors/${await idOf('by-site')}`, { method: 'POST', fields: { courseIds: setUp.a.id } });
      expect(chosen.status).to.equal(200);
      byPath['a site administrator'] = { who: await launchAs(app, lms.sim, { user: learner('by-site'), context: courseA }), source: 'site' };
    });

    const coursePages = () => (Object.entries(MATRIX) as [RouteKey, Call][]).filter(([route, call]) => route.startsWith('GET /c/') && call.page && !route.includes(':occurrenceId'));

    for (const path of ['the LMS role', 'the custom parameter', 'a designation', 'a site administrator'] as const) {
      it(`When a tutor by ${path} opens course A’s pages, then they land on their Dashboard and get exactly what a tutor gets, in course A only`, async () => {
        const { who, source } = byPath[path];
        expect(who.path).to.equal(`/c/${setUp.a.id}/dashboard`);
        const [membership] = await db().select().from(schema.memberships).where(and(eq(schema.memberships.userId, await idOfLaunch(who)), eq(schema.memberships.courseId, setUp.a.id)));
        expect(membership).to.include({ role: 'tutor', roleSource: source });
        for (const [route, call] of coursePages()) {
          const res = await send(route, call, who, 'tutor', setUp.a, true);
          expect(res.status, route).to.equal(call.allowed.includes('tutor') ? 200 : 403);
          expect((await send(route, call, who, 'tutor', setUp.b, true)).status, `${route} in course B`).to.equal(403);
        }
      });
    }

    /** The person a launch token names. */
    async function idOfLaunch(who: Launched): Promise<string> {
      return (JSON.parse(Buffer.from(who.token.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;
    }
  });

  it('When an instructor who is also a site administrator launches, then they see the portal and a Site settings link', async () => {
    const both = await launchAs(app, lms.sim, { user: { sub: 'inst-admin', name: 'Both Roles', roles: [people.instructor().roles[0]!, people.admin().roles[0]!] } });
    expect(both.path).to.match(/\/portal$/);
    const html = await (await htmx(app, both, both.path)).text();
    expect(html).to.contain('href="/admin/settings"');
    expect((await htmx(app, both, '/admin/settings')).status).to.equal(200);
  });

  it('When a membership is removed after the launch, then the token no longer opens the course', async () => {
    const launched = await launchAs(app, lms.sim, { user: { ...people.student(), sub: 'stu-removed' } });
    await db().delete(schema.memberships).where(eq(schema.memberships.userId, await idOf('stu-removed')));
    const res = await htmx(app, launched, launched.path);
    expect(res.status).to.equal(403);
    expect(await res.text()).to.contain('not a member of this course');
  });

  it('When any page is requested cross-origin, then no CORS header grants access (ltijs CORS is off)', async () => {
    for (const path of [inCourseA.student.path, '/', '/lti/keys', '/lti/launch']) {
      const res = await htmx(app, inCourseA.student, path, { headers: { Origin: 'https://evil.example' } });
      expect(res.headers.get('access-control-allow-origin'), path).to.equal(null);
      expect(res.headers.get('access-control-allow-credentials'), path).to.equal(null);
    }
  });
});
