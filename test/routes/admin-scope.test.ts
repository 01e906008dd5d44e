// A site is one LMS platform: a site administrator launched from LMS B never sees LMS A's
// registration, email (addresses, subjects) or tags.
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { users } from '../../src/db/schema.js';
import { enqueue } from '../../src/notifications/outbox.js';
import { registerSimulator, startTestApp, type TestApp } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { launchAs, people, type Launched } from '../support/launch.js';
import { PlatformSimulator } from '../support/platform-simulator.js';

describe('Site administrators see only their own LMS', () => {
  let app: TestApp;
  const sims = {} as Record<'a' | 'b', PlatformSimulator>;
  const admins = {} as Record<'a' | 'b', Launched>;
  const students = {} as Record<'a' | 'b', string>;

  before(async () => {
    app = await startTestApp();
    for (const key of ['a', 'b'] as const) {
      sims[key] = await PlatformSimulator.start({ issuer: `https://lms-${key}.example.edu`, clientId: `client-${key}` });
      await registerSimulator(app, sims[key]);
      admins[key] = await launchAs(app, sims[key], { user: people.admin(), context: { id: `course-${key}`, title: `Course ${key.toUpperCase()}` } });
      const before = await studentIds();
      await launchAs(app, sims[key], { user: people.student(), context: { id: `course-${key}`, title: `Course ${key.toUpperCase()}` } });
      students[key] = (await studentIds()).find((id) => !before.includes(id))!;
    }
    await enqueue(app.database.db, (['a', 'b'] as const).map((key) => ({
      dedupeKey: `scope-${key}`,
      kind: 'invitation' as const,
      userId: students[key],
      to: `student-of-${key}@example.edu`,
      subject: `Invitation from LMS ${key.toUpperCase()}`,
      text: 'x',
      html: '<p>x</p>',
    })));
  });
  const studentIds = async () => (await app.database.db.select({ id: users.id }).from(users).where(eq(users.sub, people.student().sub))).map((r) => r.id);
  after(async () => {
    await app.close();
    for (const sim of Object.values(sims)) await sim.close();
  });

  it('When each administrator opens the delivery log, then they read only their own LMS’s messages', async () => {
    const a = await (await htmx(app, admins.a, '/admin/deliveries')).text();
    const b = await (await htmx(app, admins.b, '/admin/deliveries')).text();
    expect(a).to.contain('student-of-a@example.edu').and.contain('Invitation from LMS A');
    expect(a).not.to.contain('student-of-b@example.edu');
    expect(a).not.to.contain('Invitation from LMS B');
    expect(b).to.contain('student-of-b@example.edu').and.not.contain('student-of-a@example.edu');
  });

  it('When each administrator opens Site settings, then only their own LMS is listed', async () => {
    const a = await (await htmx(app, admins.a, '/admin/settings')).text();
    expect(a).to.contain('https://lms-a.example.edu').and.not.contain('https://lms-b.example.edu');
    const b = await (await htmx(app, admins.b, '/admin/settings')).text();
    expect(b).to.contain('https://lms-b.example.edu').and.not.contain('https://lms-a.example.edu');
  });

  it('When the administrator of LMS A adds a tag, then the administrator of LMS B does not see it', async () => {
    const added = await htmx(app, admins.a, `/c/${admins.a.courseId}/tags/topic`, { method: 'POST', fields: { name: 'Stoichiometry of A' } });
    expect(added.status).to.equal(200);
    const a = await (await htmx(app, admins.a, `/c/${admins.a.courseId}/tags`)).text();
    const b = await (await htmx(app, admins.b, `/c/${admins.b.courseId}/tags`)).text();
    expect(a).to.contain('Stoichiometry of A');
    expect(b).not.to.contain('Stoichiometry of A');
  });
});
