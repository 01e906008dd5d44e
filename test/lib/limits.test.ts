// Expensive work is bounded per person and overall: a burst waits its turn, a flood gets 429.
import { expect } from 'chai';
import { TooManyRequestsError, WorkLimiter } from '../../src/lib/limits.js';
import { fixedClock, useSimulatedLms } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { launchAs, people } from '../support/launch.js';
import { weeklySessionForm } from '../support/sessions.js';
import { eq } from 'drizzle-orm';
import { users } from '../../src/db/schema.js';

/** A piece of work that finishes when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, work: async () => opened };
}

describe('WorkLimiter', () => {
  it('When one person sends more than their turn and queue hold, then the next is refused with 429 while the first ones still finish', async () => {
    const limiter = new WorkLimiter({ perPerson: 1, queuePerPerson: 2, overall: 4 });
    const gates = [gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) => limiter.run('maya', async () => {
      started.push(i);
      await g.work();
      return i;
    }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).to.deep.equal([0]);
    let refused: unknown;
    await limiter.run('maya', async () => 'never').catch((err: unknown) => (refused = err));
    expect(refused).to.be.instanceOf(TooManyRequestsError);
    expect((refused as TooManyRequestsError).status).to.equal(429);
    for (const g of gates) g.open();
    expect(await Promise.all(runs)).to.deep.equal([0, 1, 2]);
    expect(started).to.deep.equal([0, 1, 2]);
    expect(await limiter.run('maya', async () => 'again')).to.equal('again');
  });

  it('When one person’s work is waiting, then another person’s runs at once', async () => {
    const limiter = new WorkLimiter({ perPerson: 1, queuePerPerson: 2, overall: 4 });
    const g = gate();
    const first = limiter.run('maya', g.work);
    expect(await limiter.run('priya', async () => 'priya ran')).to.equal('priya ran');
    g.open();
    await first;
  });

  it('When the server-wide slots are taken, then the next person waits for one rather than being refused', async () => {
    const limiter = new WorkLimiter({ perPerson: 1, queuePerPerson: 0, overall: 2 });
    const gates = [gate(), gate()];
    const busy = gates.map((g, i) => limiter.run(`person-${i}`, g.work));
    let third = false;
    const waiting = limiter.run('person-3', async () => (third = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(third).to.equal(false);
    gates[0]!.open();
    await waiting;
    expect(third).to.equal(true);
    gates[1]!.open();
    await Promise.all(busy);
  });

  it('When work throws, then its turn is given back', async () => {
    const limiter = new WorkLimiter({ perPerson: 1, queuePerPerson: 0, overall: 1 });
    await limiter.run('maya', async () => { throw new Error('boom'); }).catch(() => undefined);
    expect(await limiter.run('maya', async () => 'free again')).to.equal('free again');
  });
});

describe('One person hammering the availability check', () => {
  const lms = useSimulatedLms({ app: { clock: fixedClock('2027-03-01T12:00:00Z') } });

  it('When a tutor’s turn and queue are full, then their next check gets 429 with Retry-After and a page that says when to retry, and another person is still served', async () => {
    const tutor = await launchAs(lms.app, lms.sim, { user: people.tutor(), context: { id: 'hammer', title: 'Hammer' } });
    const other = await launchAs(lms.app, lms.sim, { user: people.instructor(), context: { id: 'hammer', title: 'Hammer' } });
    const [row] = await lms.app.database.db.select({ id: users.id }).from(users).where(eq(users.sub, people.tutor().sub));
    const form = weeklySessionForm({ courseId: tutor.courseId, tutorIds: row!.id, repeat: 'daily', count: '500' });
    const check = (who: typeof tutor) => htmx(lms.app, who, `/c/${who.courseId}/sessions/conflicts`, { method: 'POST', fields: form });
    // The tutor already has checks running and waiting (DEFAULT_WORK_LIMITS: one running, two waiting).
    const limiter = lms.app.built.limiter;
    const held = [await limiter.enter(row!.id), limiter.enter(row!.id), limiter.enter(row!.id)];
    const refused = await check(tutor);
    expect(refused.status).to.equal(429);
    expect(refused.headers.get('retry-after')).to.equal('2');
    const html = await refused.text();
    expect(html).to.contain('Please wait a moment').and.contain('Try again in 2 seconds');
    expect(refused.headers.get('hx-retarget')).to.equal('#messages');
    // A flood is logged once a minute per person, not once per refusal.
    expect((await check(tutor)).status).to.equal(429);
    expect(lms.app.logs.filter((line) => line.includes('expensive requests refused'))).to.have.length(1);
    const theirs = await check(other);
    expect(theirs.status).to.equal(200);
    expect(await theirs.text()).to.contain('Everyone invited is available for all 500 sessions');
    (held[0] as () => void)();
    for (const waiting of held.slice(1)) (await waiting)();
    expect((await check(tutor)).status).to.equal(200);
  });
});
