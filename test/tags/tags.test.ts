// The tag catalogue and expertise tags, through HTTP after real LTI launches, and the service
// functions other features call (checkTagIds, findTutorsByTags).
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { tags, users } from '../../src/db/schema.js';
import { checkTagIds, createTag, findTutorsByTags, listExpertise, listTags } from '../../src/tags/service.js';
import { registerSimulator, useSimulatedLms, type TestApp } from '../support/app.js';
import { htmx, type Form } from '../support/htmx.js';
import { h1Of, launchAs, people, type Launched } from '../support/launch.js';
import { PlatformSimulator, ROLES, type SimUser } from '../support/platform-simulator.js';
import { textOf } from '../support/text.js';

/** The text of one list (active or retired) of a category fragment. */
function namesIn(html: string, list: 'active' | 'retired'): string[] {
  const re = list === 'active' ? /<ul class="tag-list" [^>]*>([\s\S]*?)<\/ul>/ : /<ul class="tag-list tag-list-retired"[^>]*>([\s\S]*?)<\/ul>/;
  const inner = html.match(re)?.[1] ?? '';
  return [...inner.matchAll(/<span class="tag-name">([^<]*)<\/span>/g)].map((m) => m[1]!);
}

/** The id of the section a form replaces: its tag category's, or the expertise part of Edit settings. */
const sectionOf = (path: string) => (path.endsWith('/settings/expertise') ? 'expertise' : `tags-${path.split('/tags/')[1]!.split('/')[0]}`);

const tutor = (sub: string, name: string): SimUser => ({ sub, name, roles: [ROLES.teachingAssistant] });

describe('Tags', () => {
  const lms = useSimulatedLms();
  let app: TestApp;
  let instructor: Launched;
  let platformId: string;
  const db = () => app.database.db;

  const storedTags = (category?: 'program' | 'topic' | 'grade_level') =>
    db()
      .select({ id: tags.id, name: tags.name, category: tags.category, retiredAt: tags.retiredAt })
      .from(tags)
      .where(category ? and(eq(tags.platformId, platformId), eq(tags.category, category)) : eq(tags.platformId, platformId));
  const userId = async (sub: string) => (await db().select({ id: users.id, platformId: users.platformId }).from(users).where(eq(users.sub, sub)))[0]!;
  /** A tag or expertise form as htmx sends it: each form replaces its own section. */
  const send = (who: Launched, method: string, path: string, fields: Form = {}) => htmx(app, who, path, { method, fields, target: sectionOf(path) });
  const create = (category: string, name: string, who = instructor) => send(who, 'POST', `/c/${who.courseId}/tags/${category}`, { name });

  before(async () => {
    app = lms.app;
    instructor = await launchAs(app, lms.sim, { user: people.instructor() });
    platformId = (await userId(people.instructor().sub)).platformId;
  });

  describe('The catalogue', () => {
    it('When an instructor opens Tags before any tag exists, then each category shows its empty state and an add form', async () => {
      const res = await htmx(app, instructor, `/c/${instructor.courseId}/tags`);
      const html = await res.text();
      expect(res.status).to.equal(200);
      expect(h1Of(html)).to.equal('Tags');
      const text = textOf(html);
      expect(text).to.contain('No Topic tags yet. Add the topics your tutors cover, for example Algebra or Essay writing.');
      expect(text).to.contain('No Program tags yet.');
      expect(text).to.contain('No Grade level tags yet.');
      for (const [slug, label] of [['program', 'Program'], ['topic', 'Topic'], ['grade-level', 'Grade level']]) {
        expect(html).to.contain(`<label for="new-${slug}-name">New ${label} tag</label>`);
        expect(html).to.contain(`hx-post="/c/${instructor.courseId}/tags/${slug}"`);
      }
      expect(html).to.contain('aria-current="page">Tags</a>');
    });

    it('When an instructor adds a Topic tag with spaces around its name, then the Topic section re-renders with it and the trimmed name is stored for the site', async () => {
      const res = await create('topic', '   Algebra   ');
      const html = await res.text();
      expect(res.status).to.equal(200);
      expect(html, 'a fragment, not a page').not.to.contain('<html');
      expect(html).to.match(/^\s*<section id="tags-topic"/);
      expect(namesIn(html, 'active')).to.deep.equal(['Algebra']);
      expect(html).to.contain('hx-swap-oob="innerHTML"');
      expect(textOf(html)).to.contain('Added the Topic tag “Algebra”.');
      expect(html, 'focus returns to the add field').to.match(/id="new-topic-name"[^>]*autofocus/);

      const stored = await storedTags('topic');
      expect(stored.map((t) => [t.name, t.retiredAt])).to.deep.equal([['Algebra', null]]);
    });

    it('When an instructor adds a name that exists in the category in another case, then they get 422 with the message next to the field and nothing is stored', async () => {
      const before = await storedTags();
      const res = await create('topic', 'algebra');
      const html = await res.text();
      expect(res.status).to.equal(422);
      expect(textOf(html)).to.contain('A Topic tag named “Algebra” already exists.');
      expect(html).to.match(/<input id="new-topic-name"[^>]*value="algebra"[^>]*aria-invalid="true" aria-describedby="new-topic-error"/);
      expect(html).to.contain('<p class="field-error" id="new-topic-error">');
      expect(await storedTags()).to.deep.equal(before);
    });

    it('When the same name is added in another category, then it is accepted (names are unique per category)', async () => {
      const res = await create('program', 'Algebra');
      expect(res.status).to.equal(200);
      expect(namesIn(await res.text(), 'active')).to.deep.equal(['Algebra']);
      expect((await storedTags('program')).map((t) => t.name)).to.deep.equal(['Algebra']);
    });

    it('When a name is empty or longer than 60 characters, then the form says so with 422 and nothing is stored', async () => {
      const before = await storedTags();
      const empty = await create('grade-level', '    ');
      expect(empty.status).to.equal(422);
      expect(textOf(await empty.text())).to.contain('Enter a name for the tag.');
      const long = await create('grade-level', 'x'.repeat(61));
      expect(long.status).to.equal(422);
      expect(textOf(await long.text())).to.contain('Use at most 60 characters (this name has 61).');
      expect(await storedTags()).to.deep.equal(before);
    });

    it('When two people add the same name at the same moment, then exactly one tag is stored and the other gets the duplicate message', async () => {
      const results = await Promise.allSettled([createTag(db(), platformId, 'topic', 'Trigonometry'), createTag(db(), platformId, 'topic', 'trigonometry')]);
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason.name).to.equal('ValidationError');
      expect(rejected.reason.message).to.match(/^A Topic tag named “Trigonometry” already exists\.$|^A Topic tag named “trigonometry” already exists\.$/);
      const stored = (await storedTags('topic')).filter((t) => t.name.toLowerCase() === 'trigonometry');
      expect(stored).to.have.length(1);
      await db().delete(tags).where(eq(tags.id, stored[0]!.id));
    });

    it('When tags are added out of order, then each category lists them by name, numbers in numeric order', async () => {
      for (const name of ['Grade 10', 'Grade 9', 'First year']) expect((await create('grade-level', name)).status).to.equal(200);
      const html = await (await htmx(app, instructor, `/c/${instructor.courseId}/tags`)).text();
      const section = html.match(/<section id="tags-grade-level"[\s\S]*?<\/section>/)![0];
      expect(namesIn(section, 'active')).to.deep.equal(['First year', 'Grade 9', 'Grade 10']);
    });

    it('When an instructor renames a tag, then the new name is stored and shown; renaming onto another tag\'s name gives 422 and changes nothing', async () => {
      await create('topic', 'Geometry');
      const [algebra] = (await storedTags('topic')).filter((t) => t.name === 'Algebra');
      const renamed = await send(instructor, 'PATCH', `/c/${instructor.courseId}/tags/topic/${algebra!.id}`, { name: 'Algebra I' });
      const html = await renamed.text();
      expect(renamed.status).to.equal(200);
      expect(namesIn(html, 'active')).to.deep.equal(['Algebra I', 'Geometry']);
      expect(textOf(html)).to.contain('Renamed the Topic tag to “Algebra I”.');

      const clash = await send(instructor, 'PATCH', `/c/${instructor.courseId}/tags/topic/${algebra!.id}`, { name: 'GEOMETRY' });
      const clashHtml = await clash.text();
      expect(clash.status).to.equal(422);
      expect(textOf(clashHtml)).to.contain('A Topic tag named “Geometry” already exists.');
      expect(clashHtml, 'the rename form stays open with what was typed').to.match(/<details class="tag-rename" open>[\s\S]*?value="GEOMETRY"[^>]*aria-invalid="true"/);
      expect((await storedTags('topic')).map((t) => t.name).sort()).to.deep.equal(['Algebra I', 'Geometry']);

      const caseOnly = await send(instructor, 'PATCH', `/c/${instructor.courseId}/tags/topic/${algebra!.id}`, { name: 'algebra i' });
      expect(caseOnly.status, 'a tag may change the case of its own name').to.equal(200);
      expect((await storedTags('topic')).map((t) => t.name).sort()).to.deep.equal(['Geometry', 'algebra i']);
      await send(instructor, 'PATCH', `/c/${instructor.courseId}/tags/topic/${algebra!.id}`, { name: 'Algebra I' });
    });

    it('When an instructor retires a tag, then it moves to the retired list with Restore, is no longer offered, and Restore brings it back', async () => {
      const [geometry] = (await storedTags('topic')).filter((t) => t.name === 'Geometry');
      const res = await send(instructor, 'POST', `/c/${instructor.courseId}/tags/topic/${geometry!.id}/retire`);
      const html = await res.text();
      expect(res.status).to.equal(200);
      expect(namesIn(html, 'active')).to.deep.equal(['Algebra I']);
      expect(namesIn(html, 'retired')).to.deep.equal(['Geometry']);
      expect(textOf(html)).to.contain('Retired Topic tags');
      expect(html).to.match(/<button type="submit" class="button-secondary" autofocus>Restore<span class="visually-hidden"> Geometry<\/span>/);
      expect((await storedTags('topic')).find((t) => t.id === geometry!.id)!.retiredAt).to.be.instanceOf(Date);

      const offered = await listTags(db(), platformId, { includeRetired: false });
      expect(offered.find((g) => g.category === 'topic')!.tags.map((t) => t.name)).to.deep.equal(['Algebra I']);
      const all = await listTags(db(), platformId, { includeRetired: true });
      expect(all.map((g) => g.label)).to.deep.equal(['Program', 'Topic', 'Grade level']);
      expect(all.find((g) => g.category === 'topic')!.tags.map((t) => t.name)).to.deep.equal(['Algebra I', 'Geometry']);

      const taken = await create('topic', 'geometry');
      expect(taken.status).to.equal(422);
      expect(textOf(await taken.text())).to.contain('A Topic tag named “Geometry” already exists. It is retired: restore it from the retired Topic tags.');

      const restored = await send(instructor, 'POST', `/c/${instructor.courseId}/tags/topic/${geometry!.id}/restore`);
      const restoredHtml = await restored.text();
      expect(restored.status).to.equal(200);
      expect(namesIn(restoredHtml, 'active')).to.deep.equal(['Algebra I', 'Geometry']);
      expect(restoredHtml).not.to.contain('Retired Topic tags');
      expect((await storedTags('topic')).find((t) => t.id === geometry!.id)!.retiredAt).to.equal(null);
    });

    it('When an action names an unknown category or tag, then it answers 404 and nothing changes', async () => {
      const before = await storedTags();
      expect((await create('colour', 'Red')).status).to.equal(404);
      const [geometry] = (await storedTags('topic')).filter((t) => t.name === 'Geometry');
      // The tag exists, but in another category than the URL says.
      expect((await send(instructor, 'POST', `/c/${instructor.courseId}/tags/program/${geometry!.id}/retire`)).status).to.equal(404);
      expect((await send(instructor, 'PATCH', `/c/${instructor.courseId}/tags/topic/not-a-uuid`, { name: 'X' })).status).to.equal(404);
      expect(await storedTags()).to.deep.equal(before);
    });

    it('When the page is opened with a boosted navigation, then it is the whole page with the same category partials', async () => {
      const res = await htmx(app, instructor, `/c/${instructor.courseId}/tags`, { headers: { 'HX-Boosted': 'true' } });
      const html = await res.text();
      expect(html).to.contain('<html');
      expect(html.match(/<section id="tags-[a-z-]+" class="card tag-category"/g)).to.have.length(3);
      expect(html, 'no out-of-band message box inside the page').not.to.contain('hx-swap-oob');
    });
  });

  describe('Who may manage tags', () => {
    let tutorLaunch: Launched;
    let studentLaunch: Launched;
    let adminLaunch: Launched;
    let tagId: string;

    before(async () => {
      tutorLaunch = await launchAs(app, lms.sim, { user: people.tutor() });
      studentLaunch = await launchAs(app, lms.sim, { user: people.student() });
      adminLaunch = await launchAs(app, lms.sim, { user: people.admin() });
      tagId = (await storedTags('topic')).find((t) => t.name === 'Geometry')!.id;
    });

    for (const who of ['student', 'tutor'] as const) {
      it(`When a ${who} opens Tags or tries each action, then every request gets 403 and nothing changes`, async () => {
        const l = who === 'student' ? studentLaunch : tutorLaunch;
        const before = await storedTags();
        const page = await htmx(app, l, `/c/${l.courseId}/tags`, { direct: true });
        expect(page.status).to.equal(403);
        expect(h1Of(await page.text())).to.equal('Not allowed');
        const base = `/c/${l.courseId}/tags/topic`;
        for (const [method, path] of [['POST', base], ['PATCH', `${base}/${tagId}`], ['POST', `${base}/${tagId}/retire`], ['POST', `${base}/${tagId}/restore`]] as const) {
          const res = await send(l, method, path, { name: 'Hacked' });
          expect(res.status, `${method} ${path}`).to.equal(403);
          expect(res.headers.get('hx-retarget'), 'the refusal shows in the message area').to.equal('#messages');
        }
        expect(await storedTags()).to.deep.equal(before);
        expect(await (await htmx(app, l, l.path)).text(), 'no Tags link in the nav').not.to.contain('>Tags</a>');
      });
    }

    it('When a site administrator opens Tags in the course, then they can manage the catalogue', async () => {
      const page = await htmx(app, adminLaunch, `/c/${adminLaunch.courseId}/tags`);
      expect(page.status).to.equal(200);
      expect(textOf(await page.text())).to.contain('Geometry');
      const res = await create('program', 'Writing Center', adminLaunch);
      expect(res.status).to.equal(200);
      expect((await storedTags('program')).map((t) => t.name).sort()).to.deep.equal(['Algebra', 'Writing Center']);
    });

    it('When nobody is signed in, then a tag action answers 401 and nothing changes', async () => {
      const before = await storedTags();
      const res = await htmx(app, null, `/c/${instructor.courseId}/tags/topic`, { method: 'POST', fields: { name: 'Sneaky' }, target: 'tags-topic' });
      expect(res.status).to.equal(401);
      expect(await storedTags()).to.deep.equal(before);
    });
  });

  describe('Another site', () => {
    let other: PlatformSimulator;
    let otherInstructor: Launched;

    before(async () => {
      other = await PlatformSimulator.start({ clientId: 'other-site-client' });
      await registerSimulator(app, other);
      otherInstructor = await launchAs(app, other, { user: { ...people.instructor(), sub: 'other-inst' }, context: { id: 'other-course', title: 'Other College Course' } });
    });
    after(async () => other?.close());

    it("When an instructor of another platform opens their Tags page, then they see none of this site's tags", async () => {
      const html = await (await htmx(app, otherInstructor, `/c/${otherInstructor.courseId}/tags`)).text();
      const text = textOf(html);
      expect(text).to.contain('No Topic tags yet.');
      expect(text).not.to.contain('Geometry');
      expect(text).not.to.contain('Algebra I');
    });

    it("When they act on this site's tags, by their own course or by this one, then they get 404 or 403 and nothing changes", async () => {
      const before = await storedTags();
      const geometry = before.find((t) => t.name === 'Geometry')!;
      const mine = `/c/${otherInstructor.courseId}/tags/topic/${geometry.id}`;
      expect((await send(otherInstructor, 'PATCH', mine, { name: 'Taken over' })).status).to.equal(404);
      expect((await send(otherInstructor, 'POST', `${mine}/retire`)).status).to.equal(404);
      expect((await send(otherInstructor, 'POST', `${mine}/restore`)).status).to.equal(404);
      const theirs = `/c/${instructor.courseId}/tags/topic`;
      expect((await send(otherInstructor, 'POST', theirs, { name: 'Injected' })).status).to.equal(403);
      expect((await htmx(app, otherInstructor, `/c/${instructor.courseId}/tags`)).status).to.equal(403);
      expect(await storedTags()).to.deep.equal(before);
    });

    it('When they add a tag with a name this site already uses, then it is accepted: each site has its own catalogue', async () => {
      const res = await create('topic', 'Geometry', otherInstructor);
      expect(res.status).to.equal(200);
      expect(namesIn(await res.text(), 'active')).to.deep.equal(['Geometry']);
    });

    it("When checkTagIds gets another site's tag, a retired tag or a malformed id, then it refuses; a retired tag already on the series is allowed", async () => {
      const otherPlatformId = (await userId('other-inst')).platformId;
      const [foreign] = await db().select({ id: tags.id }).from(tags).where(eq(tags.platformId, otherPlatformId));
      const mine = await storedTags();
      const algebra = mine.find((t) => t.name === 'Algebra I')!;
      const geometry = mine.find((t) => t.name === 'Geometry')!;

      await expectRejection(checkTagIds(db(), platformId, [algebra.id, foreign!.id]), /a tag from another site/);
      await expectRejection(checkTagIds(db(), platformId, ['not-a-uuid']), /a tag from another site/);

      await send(instructor, 'POST', `/c/${instructor.courseId}/tags/topic/${geometry.id}/retire`);
      await expectRejection(checkTagIds(db(), platformId, [algebra.id, geometry.id]), /The Topic tag “Geometry” is retired/);
      const kept = await checkTagIds(db(), platformId, [geometry.id, algebra.id, algebra.id], { allowRetired: [geometry.id] });
      expect(kept.map((t) => t.name)).to.deep.equal(['Algebra I', 'Geometry']);
      expect(await checkTagIds(db(), platformId, [])).to.deep.equal([]);
      await send(instructor, 'POST', `/c/${instructor.courseId}/tags/topic/${geometry.id}/restore`);
    });
  });

  describe('Edit settings and expertise tags', () => {
    let maya: Launched;
    let ids: Record<string, string>;

    before(async () => {
      maya = await launchAs(app, lms.sim, { user: people.tutor() });
      ids = Object.fromEntries((await storedTags()).map((t) => [`${t.category}:${t.name}`, t.id]));
    });

    it('When a student opens Edit settings, then they see their name and email, their availability, and no expertise section or meeting URL', async () => {
      const student = await launchAs(app, lms.sim, { user: people.student() });
      const res = await htmx(app, student, `/c/${student.courseId}/settings`);
      const html = await res.text();
      expect(res.status).to.equal(200);
      expect(h1Of(html)).to.equal('Edit settings');
      const text = textOf(html);
      expect(text).to.contain('Priya Natarajan');
      expect(text).to.contain('priya@example.edu');
      expect(text).to.contain('Availability not set up');
      expect(text).not.to.contain('Expertise tags');
      expect(text, 'students have no meeting link').not.to.contain('Meeting URL');
      expect(html).not.to.contain('name="tagIds"');
      expect(html).to.contain('aria-current="page">Edit settings</a>');
    });

    it('When a tutor opens Edit settings, then the expertise section groups the active tags by category in fieldsets with legends', async () => {
      const html = await (await htmx(app, maya, `/c/${maya.courseId}/settings`)).text();
      expect(textOf(html)).to.contain('Maya Chen');
      expect(textOf(html)).to.contain('Meeting URL');
      const legends = [...html.matchAll(/<legend>([^<]*)<\/legend>/g)].map((m) => m[1]);
      expect(legends).to.deep.equal(['Program', 'Topic', 'Grade level']);
      expect(html).to.contain(`<input type="checkbox" id="expertise-${ids['topic:Algebra I']}" name="tagIds" value="${ids['topic:Algebra I']}">`);
      expect(html).to.contain(`<label for="expertise-${ids['topic:Algebra I']}">Algebra I</label>`);
    });

    it('When a tutor saves expertise tags, then they are stored, shown checked, and a notice says so', async () => {
      const chosen = [ids['topic:Algebra I']!, ids['grade_level:Grade 9']!];
      const res = await send(maya, 'PUT', `/c/${maya.courseId}/settings/expertise`, { tagIds: chosen });
      const html = await res.text();
      expect(res.status).to.equal(200);
      expect(html).to.match(/^\s*<section id="expertise"/);
      expect(textOf(html)).to.contain('Saved your 2 expertise tags.');
      for (const id of chosen) expect(html).to.contain(`value="${id}" checked>`);
      const me = (await userId('ta-1')).id;
      expect((await listExpertise(db(), me)).map((t) => t.name)).to.deep.equal(['Algebra I', 'Grade 9']);
    });

    it("When the saved tags include another site's tag or a retired one the tutor does not have, then they get 422 and keep what they had", async () => {
      const me = (await userId('ta-1')).id;
      const otherTag = (await db().select({ id: tags.id, platformId: tags.platformId }).from(tags)).find((t) => t.platformId !== platformId)!;
      const foreign = await send(maya, 'PUT', `/c/${maya.courseId}/settings/expertise`, { tagIds: [ids['topic:Geometry']!, otherTag.id] });
      expect(foreign.status).to.equal(422);
      expect(textOf(await foreign.text())).to.contain('a tag from another site');

      const geometry = ids['topic:Geometry']!;
      await send(instructor, 'POST', `/c/${instructor.courseId}/tags/topic/${geometry}/retire`);
      const retired = await send(maya, 'PUT', `/c/${maya.courseId}/settings/expertise`, { tagIds: [geometry] });
      expect(retired.status).to.equal(422);
      expect(textOf(await retired.text())).to.contain('The Topic tag “Geometry” is retired');
      expect((await listExpertise(db(), me)).map((t) => t.name)).to.deep.equal(['Algebra I', 'Grade 9']);
      await send(instructor, 'POST', `/c/${instructor.courseId}/tags/topic/${geometry}/restore`);
    });

    it('When a tag the tutor has is retired, then Edit settings still shows it checked and saving keeps it', async () => {
      const me = (await userId('ta-1')).id;
      const grade9 = ids['grade_level:Grade 9']!;
      await send(instructor, 'POST', `/c/${instructor.courseId}/tags/grade-level/${grade9}/retire`);
      const html = await (await htmx(app, maya, `/c/${maya.courseId}/settings`)).text();
      expect(html).to.contain(`value="${grade9}" checked>`);
      expect(textOf(html)).to.contain('Grade 9 (retired');
      const res = await send(maya, 'PUT', `/c/${maya.courseId}/settings/expertise`, { tagIds: [ids['topic:Algebra I']!, grade9] });
      expect(res.status).to.equal(200);
      expect((await listExpertise(db(), me)).map((t) => [t.name, t.retiredAt === null])).to.deep.equal([['Algebra I', true], ['Grade 9', false]]);
      await send(instructor, 'POST', `/c/${instructor.courseId}/tags/grade-level/${grade9}/restore`);
    });

    it('When a tutor unticks every box, then all their expertise tags are removed', async () => {
      const res = await send(maya, 'PUT', `/c/${maya.courseId}/settings/expertise`, {});
      expect(res.status).to.equal(200);
      expect(textOf(await res.text())).to.contain('Saved: you have no expertise tags.');
      expect(await listExpertise(db(), (await userId('ta-1')).id)).to.deep.equal([]);
    });

    it('When a student tries to save expertise tags, then they get 403 and nothing is stored', async () => {
      const student = await launchAs(app, lms.sim, { user: people.student() });
      const res = await send(student, 'PUT', `/c/${student.courseId}/settings/expertise`, { tagIds: ids['topic:Geometry']! });
      expect(res.status).to.equal(403);
      expect(await listExpertise(db(), (await userId('stu-1')).id)).to.deep.equal([]);
    });

    it('When findTutorsByTags ranks the course, then most matches come first, ties by name, people with no match last, students and other courses left out', async () => {
      const algebra = ids['topic:Algebra I']!;
      const grade9 = ids['grade_level:Grade 9']!;
      const geometry = ids['topic:Geometry']!;
      const save = async (l: Launched, tagIds: string[]) =>
        expect((await send(l, 'PUT', `/c/${l.courseId}/settings/expertise`, { tagIds })).status).to.equal(200);

      await save(maya, [algebra, grade9]);
      await save(await launchAs(app, lms.sim, { user: tutor('ta-ben', 'Ben Okoro') }), [algebra, geometry]);
      await save(await launchAs(app, lms.sim, { user: tutor('ta-zoe', 'Zoe Adams') }), [geometry]);
      await launchAs(app, lms.sim, { user: tutor('ta-abe', 'Abe Nomatch') });
      await save(instructor, [grade9, algebra]); // Grace Hopper: an instructor who also tutors
      // A tutor with every tag, but in another course: not offered for this one.
      await save(await launchAs(app, lms.sim, { user: tutor('ta-elsewhere', 'Aaron Elsewhere'), context: { id: 'course-2', title: 'Elsewhere' } }), [algebra, grade9]);

      const ranked = await findTutorsByTags(db(), instructor.courseId, [algebra, grade9]);
      expect(ranked.map((t) => [t.name, t.matchCount])).to.deep.equal([
        ['Grace Hopper', 2],
        ['Maya Chen', 2],
        ['Ben Okoro', 1],
        ['Abe Nomatch', 0],
        ['Zoe Adams', 0],
      ]);
      expect(ranked[0]!.role).to.equal('instructor');
      expect(ranked[2]!.matchedTagIds).to.deep.equal([algebra]);
      expect(ranked.find((t) => t.name === 'Maya Chen')!.matchedTagIds.slice().sort()).to.deep.equal([algebra, grade9].sort());

      const none = await findTutorsByTags(db(), instructor.courseId, []);
      expect(none.map((t) => t.name)).to.deep.equal(['Abe Nomatch', 'Ben Okoro', 'Grace Hopper', 'Maya Chen', 'Zoe Adams']);
    });
  });
});

async function expectRejection(promise: Promise<unknown>, message: RegExp): Promise<void> {
  try {
    await promise;
  } catch (err) {
    expect((err as Error).name).to.equal('ValidationError');
    expect((err as Error).message).to.match(message);
    return;
  }
  expect.fail(`expected a ValidationError matching ${message}`);
}
