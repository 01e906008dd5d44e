// Tags on sessions: "Find by tags", resources that match topic and grade level, retired tags.
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { occurrences, sessionSeries, tags, userExpertiseTags, users } from '../../src/db/schema.js';
import { useSimulatedLms } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { launchAs, people, type Launched } from '../support/launch.js';
import { ROLES } from '../support/platform-simulator.js';

describe('Tags on sessions', () => {
  const lms = useSimulatedLms();
  const course = { id: 'tags-a', title: 'Algebra I' };
  let tutor: Launched;
  let student: Launched;
  const ids = {} as Record<string, string>;
  const db = () => lms.app.database.db;

  before(async () => {
    tutor = await launchAs(lms.app, lms.sim, { user: people.tutor(), context: course });
    student = await launchAs(lms.app, lms.sim, { user: people.student(), context: course });
    await launchAs(lms.app, lms.sim, { user: { sub: 'ta-2', name: 'Ada Expert', roles: [ROLES.teachingAssistant] }, context: course });
    await launchAs(lms.app, lms.sim, { user: { sub: 'ta-3', name: 'Bo Partial', roles: [ROLES.teachingAssistant] }, context: course });
    for (const sub of ['ta-1', 'ta-2', 'ta-3', 'stu-1']) {
      const [u] = await db().select({ id: users.id, platformId: users.platformId }).from(users).where(eq(users.sub, sub));
      ids[sub] = u!.id;
      ids.platform = u!.platformId;
    }
    const made = await db()
      .insert(tags)
      .values([
        { platformId: ids.platform!, category: 'topic', name: 'Linear equations' },
        { platformId: ids.platform!, category: 'grade_level', name: 'Grade 9' },
        { platformId: ids.platform!, category: 'program', name: 'Summer bridge' },
      ])
      .returning({ id: tags.id, name: tags.name });
    for (const t of made) ids[t.name] = t.id;
    await db().insert(userExpertiseTags).values([
      { userId: ids['ta-2']!, tagId: ids['Linear equations']! },
      { userId: ids['ta-2']!, tagId: ids['Grade 9']! },
      { userId: ids['ta-3']!, tagId: ids['Grade 9']! },
    ]);
  });

  const post = (fields: Record<string, string | string[]>, path = `/c/${tutor.courseId}/sessions`) => htmx(lms.app, tutor, path, { method: 'POST', fields });
  // Each session on a day of its own: one tutor can't run two sessions at once.
  let day = 0;
  const session = (overrides: Record<string, string | string[]>) => ({
    courseId: tutor.courseId,
    startDate: `2027-05-${String(4 + day++).padStart(2, '0')}`,
    startTime: '10:00',
    zone: 'Europe/Berlin',
    lengthValue: '45',
    lengthUnit: 'minutes',
    repeat: 'none',
    tutorIds: ids['ta-1']!,
    studentIds: ids['stu-1']!,
    ...overrides,
  });
  const firstOccurrenceOf = async (name: string) =>
    (await db().select({ id: occurrences.id }).from(occurrences).innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId)).where(eq(sessionSeries.name, name)))[0]!.id;

  it('When a tutor clicks Find by tags, then tutors whose expertise matches the tags come first, with the match count, and ticked tutors stay ticked', async () => {
    const fields = { tagIds: [ids['Linear equations']!, ids['Grade 9']!], tutorIds: ids['ta-1']! };
    const res = await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions/find-tutors`, { fields });
    const html = await res.text();
    expect(res.status).to.equal(200);
    expect(html.indexOf('Ada Expert')).to.be.lessThan(html.indexOf('Bo Partial'));
    expect(html.indexOf('Bo Partial')).to.be.lessThan(html.indexOf('Maya Chen'));
    expect(html).to.contain('2 matching tags');
    expect(html).to.contain('1 matching tag');
    expect(html).to.contain(`value="${ids['ta-1']}" checked`);
    expect(html).not.to.contain('<html');
  });

  it('When “Automatically show resources that match topic and grade level” is on, then the course’s matching resources appear on the session page', async () => {
    expect((await post(session({ name: 'Equations I', tagIds: [ids['Linear equations']!, ids['Grade 9']!], resourceTitle: 'Balancing equations', resourceUrl: 'https://example.edu/balance' }))).status).to.equal(303);
    expect((await post(session({ name: 'Other topic', tagIds: ids['Summer bridge']!, resourceTitle: 'Unrelated', resourceUrl: 'https://example.edu/unrelated' }))).status).to.equal(303);
    expect((await post(session({ name: 'Equations II', tagIds: [ids['Linear equations']!, ids['Grade 9']!], autoResources: 'on' }))).status).to.equal(303);
    const page = await (await htmx(lms.app, student, `/c/${student.courseId}/sessions/${await firstOccurrenceOf('Equations II')}`)).text();
    expect(page).to.contain('Balancing equations');
    expect(page).not.to.contain('Unrelated');
  });

  it('When a tag is retired, then it stays on the sessions that have it and can be kept when editing them, but not added to new ones', async () => {
    expect((await post(session({ name: 'Bridge week', tagIds: ids['Summer bridge']! }))).status).to.equal(303);
    await db().update(tags).set({ retiredAt: new Date() }).where(eq(tags.id, ids['Summer bridge']!));
    const occurrenceId = await firstOccurrenceOf('Bridge week');
    const page = await (await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions/${occurrenceId}`)).text();
    expect(page).to.contain('Summer bridge');
    const kept = await post(session({ name: 'Bridge week (room 4)', tagIds: ids['Summer bridge']! }), `/c/${tutor.courseId}/sessions/${occurrenceId}/edit`);
    expect(kept.status, await kept.clone().text()).to.equal(303);
    const refused = await post(session({ name: 'New bridge', tagIds: ids['Summer bridge']! }));
    expect(refused.status).to.equal(422);
    expect(await refused.text()).to.contain('is retired and can no longer be chosen');
  });
});
