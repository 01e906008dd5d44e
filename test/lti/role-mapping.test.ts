// Role mapping per platform, through real launches: the defaults of ARCHITECTURE.md, a site
// administrator's own mapping for their LMS (course roles, institution roles), and the custom
// parameter tutorkit_role=tutor for LMSes that send no tutor role. Another LMS keeps its own.
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { CONTEXT_ROLE_NAMES, DEFAULT_ROLE_RULES, INSTITUTION_ROLE_NAMES, ruleField } from '../../src/courses/role-rules.js';
import { memberships, platforms, roleChanges, users } from '../../src/db/schema.js';
import { registerSimulator, startTestApp, type TestApp } from '../support/app.js';
import { htmx, type Form } from '../support/htmx.js';
import { launchAs, people, type Launched } from '../support/launch.js';
import { LTI_CLAIMS, PlatformSimulator, ROLES, type SimUser } from '../support/platform-simulator.js';
import { textOf } from '../support/text.js';

/** The Role mapping form with the defaults, and `changes` ({ 'context.Instructor': 'tutor' }, customTutor: '' to untick). */
function mappingForm(changes: Record<string, string> = {}): Form {
  const form: Form = { customTutor: 'on' };
  for (const n of CONTEXT_ROLE_NAMES) form[ruleField('context', n)] = DEFAULT_ROLE_RULES.context[n]!;
  for (const n of INSTITUTION_ROLE_NAMES) form[ruleField('institution', n)] = DEFAULT_ROLE_RULES.institution[n]!;
  for (const [k, v] of Object.entries(changes)) {
    if (v === '') delete form[k];
    else form[k] = v;
  }
  return form;
}

const COURSE = { id: 'bio-1', title: 'Biology 1' };
const person = (sub: string, roles: string[]): SimUser => ({ sub, name: `Person ${sub}`, roles });
const tutorLink = { [LTI_CLAIMS.custom]: { tutorkit_role: 'tutor' } };

describe('Role mapping per platform', () => {
  let app: TestApp;
  const sims = {} as Record<'a' | 'b', PlatformSimulator>;
  let adminA: Launched;
  const db = () => app.database.db;

  before(async () => {
    app = await startTestApp();
    for (const key of ['a', 'b'] as const) {
      sims[key] = await PlatformSimulator.start({ issuer: `https://lms-${key}.example.edu`, clientId: `client-${key}` });
      await registerSimulator(app, sims[key]);
    }
    adminA = await launchAs(app, sims.a, { user: people.admin(), context: COURSE });
  });
  after(async () => {
    await app?.close();
    for (const sim of Object.values(sims)) await sim?.close();
  });

  /** Launches and returns where it landed and the stored membership. */
  async function launch(key: 'a' | 'b', user: SimUser, extraClaims?: Record<string, unknown>) {
    const launched = await launchAs(app, sims[key], { user, context: COURSE, extraClaims });
    const [row] = await db()
      .select({ role: memberships.role, roleSource: memberships.roleSource, lmsRole: memberships.lmsRole })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(users.sub, user.sub), eq(memberships.courseId, launched.courseId)));
    return { home: launched.path.replace(/^\/c\/[^/]+/, ''), ...row! };
  }
  const saveMapping = (form: Form, who: Launched = adminA) => htmx(app, who, '/admin/role-mapping', { method: 'POST', fields: form });

  describe('With the defaults', () => {
    const cases: { roles: string[]; role: string; home: string }[] = [
      { roles: [ROLES.instructor], role: 'instructor', home: '/portal' },
      { roles: [ROLES.contentDeveloper], role: 'instructor', home: '/portal' },
      { roles: [ROLES.contextAdmin], role: 'instructor', home: '/portal' },
      { roles: [ROLES.teachingAssistant], role: 'tutor', home: '/dashboard' },
      { roles: [ROLES.instructor, ROLES.teachingAssistant], role: 'tutor', home: '/dashboard' },
      { roles: [ROLES.mentor], role: 'tutor', home: '/dashboard' },
      { roles: [ROLES.learner], role: 'student', home: '/dashboard' },
      { roles: [ROLES.learner, ROLES.institutionInstructor], role: 'student', home: '/dashboard' },
    ];
    cases.forEach((c, i) => {
      it(`When someone launches with ${c.roles.map((r) => r.split(/[#/]/).pop()).join(' + ')}, then they are ${c.role} and land on ${c.home}`, async () => {
        expect(await launch('a', person(`default-${i}`, c.roles))).to.deep.equal({ home: c.home, role: c.role, roleSource: 'lms', lmsRole: c.role });
      });
    });

    it('When someone launches with only an institution Instructor role, then the launch is refused: no course role', async () => {
      const result = await sims.a.launch(app.tool, { user: person('inst-only', [ROLES.institutionInstructor]), context: COURSE });
      expect(result.status).to.equal(403);
      expect(textOf(result.body)).to.contain('Your course role is not supported');
    });

    it('When a Learner opens a link whose custom parameter is tutorkit_role=tutor, then they are a tutor of the course', async () => {
      expect(await launch('a', person('custom-learner', [ROLES.learner]), tutorLink)).to.deep.equal({ home: '/dashboard', role: 'tutor', roleSource: 'mapping', lmsRole: 'tutor' });
      expect(await launch('a', person('custom-learner', [ROLES.learner]))).to.include({ role: 'student' });
    });
  });

  describe('With a site administrator’s own mapping', () => {
    before(async () => {
      const saved = await saveMapping(mappingForm({ 'context.Instructor': 'tutor', 'institution.Faculty': 'instructor', 'institution.Student': 'student' }));
      expect(saved.status).to.equal(200);
      expect(textOf(await saved.text())).to.contain('Role mapping saved. It applies from each person’s next launch.');
    });

    it('When an Instructor of LMS A launches, then they are a tutor by the mapping; on LMS B an Instructor stays an instructor', async () => {
      expect(await launch('a', person('mapped-inst', [ROLES.instructor]))).to.deep.equal({ home: '/dashboard', role: 'tutor', roleSource: 'mapping', lmsRole: 'tutor' });
      expect(await launch('b', person('b-inst', [ROLES.instructor]))).to.deep.equal({ home: '/portal', role: 'instructor', roleSource: 'lms', lmsRole: 'instructor' });
    });

    it('When only institution roles are sent, then they decide: Faculty is an instructor, Student a student (LMS B still refuses them)', async () => {
      expect(await launch('a', person('faculty', [ROLES.institutionInstructor.replace('Instructor', 'Faculty')]))).to.include({ role: 'instructor', roleSource: 'mapping' });
      expect(await launch('a', person('inst-student', [ROLES.institutionStudent]))).to.include({ role: 'student', roleSource: 'mapping' });
      expect((await sims.b.launch(app.tool, { user: person('b-student', [ROLES.institutionStudent]), context: COURSE })).status).to.equal(403);
    });

    it('When a course role is sent too, then it decides before institution roles', async () => {
      expect(await launch('a', person('faculty-learner', [ROLES.learner, ROLES.institutionInstructor.replace('Instructor', 'Faculty')]))).to.include({ role: 'student', roleSource: 'lms' });
    });

    it('When a TeachingAssistant launches, then they are still a tutor, as by default', async () => {
      expect(await launch('a', person('mapped-ta', [ROLES.teachingAssistant]))).to.deep.equal({ home: '/dashboard', role: 'tutor', roleSource: 'lms', lmsRole: 'tutor' });
    });

    it('When the mapping is changed again, then the very next launch follows it (the cached mapping is forgotten)', async () => {
      const mappedBefore = await launch('a', person('flip', [ROLES.instructor]));
      expect(mappedBefore.role).to.equal('tutor');
      expect((await saveMapping(mappingForm({ 'institution.Faculty': 'instructor' }))).status).to.equal(200);
      expect(await launch('a', person('flip', [ROLES.instructor]))).to.deep.equal({ home: '/portal', role: 'instructor', roleSource: 'lms', lmsRole: 'instructor' });
    });

    it('When the custom parameter is turned off, then tutorkit_role=tutor is ignored', async () => {
      expect((await saveMapping(mappingForm({ customTutor: '' }))).status).to.equal(200);
      expect(await launch('a', person('custom-off', [ROLES.learner]), tutorLink)).to.include({ role: 'student', roleSource: 'lms' });
      expect(await launch('b', person('custom-b', [ROLES.learner]), tutorLink)).to.include({ role: 'tutor', roleSource: 'mapping' });
      expect((await saveMapping(mappingForm())).status).to.equal(200);
    });

    it('When the page is opened, then it shows the platform’s mapping as stored', async () => {
      expect((await saveMapping(mappingForm({ 'context.Mentor': 'student' }))).status).to.equal(200);
      const html = await (await htmx(app, adminA, '/admin/role-mapping')).text();
      expect(html).to.match(/<select id="context-Mentor" name="context\.Mentor"[^>]*>\s*<option value="instructor">Instructor<\/option><option value="tutor">Tutor<\/option><option value="student" selected>/);
      expect(html).to.contain('name="customTutor" checked');
    });

    it('When the form sends a role TutorKit does not offer, then it answers 422 and the mapping stays as it was', async () => {
      const [before] = await db().select({ rules: platforms.roleRules }).from(platforms).where(eq(platforms.issuer, sims.a.issuer));
      const res = await saveMapping(mappingForm({ 'context.Learner': 'admin' }));
      expect(res.status).to.equal(422);
      expect(textOf(await res.text())).to.contain('Learner: choose one of the TutorKit roles offered.');
      const [after] = await db().select({ rules: platforms.roleRules }).from(platforms).where(eq(platforms.issuer, sims.a.issuer));
      expect(after).to.deep.equal(before);
    });

    it('When someone who is no site administrator posts a mapping, then it is refused', async () => {
      const instructor = await launchAs(app, sims.a, { user: people.instructor(), context: COURSE });
      expect((await saveMapping(mappingForm({ 'context.Learner': 'tutor' }), instructor)).status).to.equal(403);
    });

    it('When the administrator reads Role changes, then each mapping change and each launch that changed a role is there', async () => {
      const text = textOf(await (await htmx(app, adminA, '/admin/role-changes')).text());
      expect(text).to.contain('Role mapping — Whole site Instructor: instructor; Faculty (institution): none; Student (institution): none Instructor: tutor; Faculty (institution): instructor; Student (institution): student Ada Admin');
      expect(text).to.contain('Role mapping — Whole site Faculty (institution): instructor; tutorkit_role=tutor: honoured Faculty (institution): none; tutorkit_role=tutor: ignored Ada Admin');
      expect(text).to.contain('Role changed at launch Person flip Biology 1 tutor instructor The LMS');
      expect(text).to.contain('Role changed at launch Person custom-learner Biology 1 tutor student The LMS');
      const logged = await db().select({ kind: roleChanges.kind }).from(roleChanges);
      expect(logged.filter((r) => r.kind === 'mapping')).to.have.length(5);
    });
  });
});
