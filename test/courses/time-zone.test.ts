import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { users } from '../../src/db/schema.js';
import { useSimulatedLms } from '../support/app.js';
import { getWithToken, launchAs, people } from '../support/launch.js';

describe('Time zone from the browser', () => {
  const lms = useSimulatedLms();

  const send = (token: string, courseId: string, zone: string) =>
    fetch(new URL(`/c/${courseId}/me/time-zone`, lms.app.baseUrl), { method: 'POST', body: new URLSearchParams({ zone }), headers: { Authorization: `Bearer ${token}`, 'HX-Request': 'true' } });
  const zoneOf = async (sub: string) => (await lms.app.database.db.select({ zone: users.timeZone }).from(users).where(eq(users.sub, sub)))[0]!.zone;

  it('When a person without a zone opens a page, then the page asks their browser for it, and the first answer is stored', async () => {
    const launched = await launchAs(lms.app, lms.sim, { user: people.student() });
    const page = await (await getWithToken(lms.app, launched.path, launched.token)).text();
    expect(page).to.contain(`data-url="/c/${launched.courseId}/me/time-zone"`);
    expect((await send(launched.token, launched.courseId, 'Asia/Kolkata')).status).to.equal(204);
    expect(await zoneOf('stu-1')).to.equal('Asia/Kolkata');
    const after = await (await getWithToken(lms.app, launched.path, launched.token)).text();
    expect(after).not.to.contain('zone-probe');
  });

  it('When a zone is already set, then a later browser answer does not replace it', async () => {
    const launched = await launchAs(lms.app, lms.sim, { user: { ...people.student(), sub: 'stu-zone-2' } });
    await send(launched.token, launched.courseId, 'Europe/Berlin');
    expect((await send(launched.token, launched.courseId, 'America/Chicago')).status).to.equal(200);
    expect(await zoneOf('stu-zone-2')).to.equal('Europe/Berlin');
  });

  it('When the browser sends something that is not a time zone, then it is refused and nothing is stored', async () => {
    const launched = await launchAs(lms.app, lms.sim, { user: { ...people.student(), sub: 'stu-zone-3' } });
    expect((await send(launched.token, launched.courseId, 'Mars/Olympus')).status).to.equal(422);
    expect(await zoneOf('stu-zone-3')).to.equal(null);
  });
});
