import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { eq } from 'drizzle-orm';
import { availabilityHours, users } from '../../src/db/schema.js';
import { setUpDemoLms } from '../../src/demo/service.js';
import { startTestApp, useSimulatedLms, type TestApp } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { getPage, postForm } from '../support/http-client.js';
import { h1Of, launchAs, people, readLaunchPage } from '../support/launch.js';
import { CookieJar, MESSAGE_TYPES, ROLES } from '../support/platform-simulator.js';

/** Pulls the hidden inputs and action out of an auto-submitting form page. */
function formOf(html: string): { action: string; fields: Record<string, string> } {
  const action = html.match(/<form method="post" action="([^"]+)"/)?.[1] ?? '';
  const fields: Record<string, string> = {};
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[name!] = value!.replace(/&#34;/g, '"').replace(/&amp;/g, '&').replace(/&#39;/g, "'");
  }
  return { action: action.replace(/&amp;/g, '&'), fields };
}

describe('Demo LMS', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ demo: true });
  });
  after(async () => app.close());

  for (const [sub, name, heading] of [
    ['demo-instructor-1', 'Amara Okafor', 'Client portal'],
    ['demo-tutor-2', 'Diego Ramírez', 'Dashboard'],
    ['demo-student-3', 'Sofia Rossi', 'Dashboard'],
  ] as const) {
    it(`When a newcomer launches as ${name}, then a real OIDC launch lands on "${heading}"`, async () => {
      const jar = new CookieJar();
      const start = await postForm(`${app.baseUrl}/demo-lms/launch`, { person: sub }, { jar });
      const login = formOf(await start.text());
      expect(login.action).to.equal(`${app.baseUrl}/lti/login`);
      expect(login.fields.login_hint).to.equal(sub);
      const toAuth = await postForm(login.action, login.fields, { jar });
      expect(toAuth.status).to.equal(302);
      const authPage = await getPage(new URL(toAuth.headers.get('location')!, app.baseUrl), { jar });
      const launch = formOf(await authPage.text());
      expect(decodeJwt(launch.fields.id_token!)).to.include({ sub, name });
      const landed = await postForm(launch.action, launch.fields, { jar });
      expect(landed.status).to.equal(200);
      const handoff = readLaunchPage(await landed.text())!;
      expect(handoff.check, 'the state cookie proved the browser; no platform check needed').to.equal(null);
      const page = await htmx(app, handoff, handoff.home);
      const html = await page.text();
      expect(h1Of(html)).to.equal(heading);
      expect(html).to.contain(name);
      expect(html).to.contain('BIO 101: Introduction to Biology');
    });
  }

  it('When the demo course is seeded, then the portal counts one instructor, two tutors and six students', async () => {
    const jar = new CookieJar();
    const start = formOf(await (await postForm(`${app.baseUrl}/demo-lms/launch`, { person: 'demo-instructor-1' }, { jar })).text());
    const toAuth = await postForm(start.action, start.fields, { jar });
    const launch = formOf(await (await getPage(new URL(toAuth.headers.get('location')!, app.baseUrl), { jar })).text());
    const handoff = readLaunchPage(await (await postForm(launch.action, launch.fields, { jar })).text())!;
    const html = await (await htmx(app, handoff, handoff.home)).text();
    expect(html).to.match(/<dt>Students<\/dt><dd>6<\/dd>/);
    expect(html).to.match(/<dt>Tutors<\/dt><dd>2<\/dd>/);
    expect(html).to.match(/<dt>Instructors<\/dt><dd>1<\/dd>/);
  });

  it('When the demo course is seeded, then Diego and three students have zones and weekly hours, Maya and Amara start without, and a restart keeps what people changed', async () => {
    const db = app.database.db;
    const hoursOf = async (sub: string) => {
      const [user] = await db.select().from(users).where(eq(users.sub, sub));
      const hours = await db.select().from(availabilityHours).where(eq(availabilityHours.userId, user!.id));
      return { user: user!, hours };
    };
    const diego = await hoursOf('demo-tutor-2');
    expect(diego.user.timeZone).to.equal('America/Mexico_City');
    expect(diego.hours.map((h) => `${h.weekday} ${h.startTime}-${h.endTime}`).sort()).to.include.members(['1 08:00:00-12:00:00', '2 15:00:00-19:00:00']);
    expect(diego.hours.every((h) => h.timeZone === 'America/Mexico_City')).to.equal(true);
    expect((await hoursOf('demo-student-1')).hours).to.not.be.empty;
    expect((await hoursOf('demo-tutor-1')).hours).to.be.empty;
    expect((await hoursOf('demo-instructor-1')).hours).to.be.empty;

    // Diego clears his week in Edit settings; starting TutorKit again must not bring it back.
    await db.delete(availabilityHours).where(eq(availabilityHours.userId, diego.user.id));
    await setUpDemoLms(db, app.baseUrl, async () => undefined, () => new Date());
    expect((await hoursOf('demo-tutor-2')).hours).to.be.empty;
  });

  it('When someone asks the demo LMS to launch a person who is not in the course, then they get a 422 page', async () => {
    const res = await postForm(`${app.baseUrl}/demo-lms/launch`, { person: 'nobody' });
    expect(res.status).to.equal(422);
    expect(await res.text()).to.contain('Choose someone from the demo course');
  });

  it('When the demo authorization endpoint gets a bad request, then it refuses with a clear page', async () => {
    const res = await fetch(`${app.baseUrl}/demo-lms/auth?scope=openid&response_type=code`);
    expect(res.status).to.equal(422);
    expect(await res.text()).to.contain('response_type must be id_token');
  });
});

describe('Demo mode off', () => {
  it('When DEMO is off, then the home page offers no demo and the demo LMS does not exist', async () => {
    const app = await startTestApp({ demo: false });
    try {
      const html = await (await fetch(app.baseUrl + '/')).text();
      expect(html).not.to.contain('Try the demo');
      expect((await fetch(`${app.baseUrl}/demo-lms/auth`)).status).to.equal(404);
    } finally {
      await app.close();
    }
  });
});

describe('Deep linking', () => {
  const lms = useSimulatedLms();

  it('When an instructor adds TutorKit through deep linking, then the platform receives a signed TutorKit link', async () => {
    const result = await lms.sim.launch(lms.app.tool, { user: people.instructor(), messageType: MESSAGE_TYPES.deepLinking });
    expect(result.status).to.equal(200);
    expect(h1Of(result.body)).to.equal('Add TutorKit to your course');
    const form = formOf(result.body);
    expect(form.action).to.equal(`${lms.sim.url}/deep-link-return`);
    const returned = await postForm(form.action, { JWT: form.fields.JWT! });
    expect(returned.status).to.be.lessThan(400);
    const [record] = lms.sim.deepLinkResponses();
    expect(record!.error, record!.error).to.equal(undefined);
    const items = record!.payload!['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'] as { type: string; url: string }[];
    expect(items).to.deep.equal([{ type: 'ltiResourceLink', title: 'TutorKit', text: 'Tutoring sessions, reports and early alerts', url: lms.app.tool.launchUrl }]);
  });

  it('When a deep-linked instructor later launches, then they reach the portal of that course', async () => {
    const launched = await launchAs(lms.app, lms.sim, { user: { ...people.instructor(), roles: [ROLES.instructor] } });
    expect(h1Of(await (await htmx(lms.app, launched, launched.path)).text())).to.equal('Client portal');
  });
});
