import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { users } from '../../src/db/schema.js';
import { useSimulatedLms } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { launchAs, people, type Launched } from '../support/launch.js';

describe('Time zone from the browser', () => {
  const lms = useSimulatedLms();

  const send = (who: Launched, zone: string) => htmx(lms.app, who, `/c/${who.courseId}/me/time-zone`, { method: 'POST', fields: { zone } });
  const zoneOf = async (sub: string) => (await lms.app.database.db.select({ zone: users.timeZone }).from(users).where(eq(users.sub, sub)))[0]!.zone;

  it('When a person without a zone opens a page, then the page asks their browser for it, and the first answer is stored', async () => {
    const launched = await launchAs(lms.app, lms.sim, { user: people.student() });
    const page = await (await htmx(lms.app, launched, launched.path)).text();
    expect(page).to.contain(`data-url="/c/${launched.courseId}/me/time-zone"`);
    expect((await send(launched, 'Asia/Kolkata')).status).to.equal(204);
    expect(await zoneOf('stu-1')).to.equal('Asia/Kolkata');
    const after = await (await htmx(lms.app, launched, launched.path)).text();
    expect(after).not.to.contain('zone-probe');
  });

  it('When a zone is already set, then a later browser answer does not replace it', async () => {
    const launched = await launchAs(lms.app, lms.sim, { user: { ...people.student(), sub: 'stu-zone-2' } });
    await send(launched, 'Europe/Berlin');
    expect((await send(launched, 'America/Chicago')).status).to.equal(200);
    expect(await zoneOf('stu-zone-2')).to.equal('Europe/Berlin');
  });

  it('When the browser sends something that is not a time zone, then it is refused and nothing is stored', async () => {
    const launched = await launchAs(lms.app, lms.sim, { user: { ...people.student(), sub: 'stu-zone-3' } });
    expect((await send(launched, 'Mars/Olympus')).status).to.equal(422);
    expect(await zoneOf('stu-zone-3')).to.equal(null);
  });
});
