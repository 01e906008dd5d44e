// The live bus: in memory (one process) and over PostgreSQL LISTEN/NOTIFY between connections
// that stand for separate instances, including a dropped connection that comes back.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { createBus, LiveMessageError, MAX_MESSAGE_BYTES, type LiveBus } from '../../src/live/bus.js';

/** Collects what a subscriber hears, and waits for it. */
function listener() {
  const heard: string[] = [];
  let gaps = 0;
  return {
    heard,
    gaps: () => gaps,
    subscriber: { listener: (m: string) => void heard.push(m), onGap: () => void gaps++ },
    async until(count: number, withinMs = 3000): Promise<string[]> {
      const deadline = Date.now() + withinMs;
      while (heard.length < count) {
        if (Date.now() > deadline) throw new Error(`heard ${heard.length} of ${count} messages: ${JSON.stringify(heard)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return heard;
    },
  };
}

const topic = () => `test:${randomBytes(6).toString('hex')}`;

describe('Live bus in memory', () => {
  let bus: LiveBus;
  beforeEach(() => (bus = createBus()));
  afterEach(() => bus.close());

  it('When a message is published, then the topic’s subscribers hear it after publish returns, and other topics’ do not', async () => {
    const [a, b, other] = [listener(), listener(), listener()];
    const room = topic();
    await bus.subscribe(room, a.subscriber);
    await bus.subscribe(room, b.subscriber);
    await bus.subscribe(topic(), other.subscriber);
    await bus.publish(room, 'presence');
    expect(a.heard, 'delivery is asynchronous, as NOTIFY’s is').to.deep.equal([]);
    expect(await a.until(1)).to.deep.equal(['presence']);
    expect(await b.until(1)).to.deep.equal(['presence']);
    expect(other.heard).to.deep.equal([]);
    expect(bus.topicCount()).to.equal(2);
  });

  it('When the last subscriber of a topic leaves, then it hears nothing more and the topic is no longer counted', async () => {
    const a = listener();
    const room = topic();
    const unsubscribe = await bus.subscribe(room, a.subscriber);
    await unsubscribe();
    await bus.publish(room, 'after');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(a.heard).to.deep.equal([]);
    expect(bus.topicCount()).to.equal(0);
  });

  it('When a message or topic could not travel through NOTIFY, then publishing refuses it here too', async () => {
    let refused: unknown;
    await bus.publish(topic(), 'x'.repeat(MAX_MESSAGE_BYTES + 1)).catch((err: unknown) => (refused = err));
    expect(refused).to.be.instanceOf(LiveMessageError);
    refused = undefined;
    await bus.publish('t'.repeat(64), 'hello').catch((err: unknown) => (refused = err));
    expect(refused).to.be.instanceOf(LiveMessageError);
  });
});

describe('Live bus on PostgreSQL (LISTEN/NOTIFY)', function () {
  const url = process.env.DATABASE_URL;
  const name = `tutorkit-live-test-${randomBytes(4).toString('hex')}`;
  let first: LiveBus;
  let second: LiveBus;

  before(function () {
    if (!url) this.skip();
  });
  beforeEach(() => {
    first = createBus({ url, applicationName: name });
    second = createBus({ url, applicationName: `${name}-2` });
  });
  afterEach(async () => {
    await first?.close();
    await second?.close();
  });

  it('When one instance publishes, then subscribers on every instance hear it, the publisher’s own included', async () => {
    const [here, there] = [listener(), listener()];
    const room = topic();
    await first.subscribe(room, here.subscriber);
    await second.subscribe(room, there.subscriber);
    await first.publish(room, '{"kind":"chat","id":42}');
    expect(await there.until(1)).to.deep.equal(['{"kind":"chat","id":42}']);
    expect(await here.until(1)).to.deep.equal(['{"kind":"chat","id":42}']);
  });

  it('When a message is too large for NOTIFY, then it is refused before it reaches the server', async () => {
    let refused: unknown;
    await first.publish(topic(), 'é'.repeat(MAX_MESSAGE_BYTES / 2 + 1)).catch((err: unknown) => (refused = err));
    expect(refused).to.be.instanceOf(LiveMessageError);
  });

  it('When the listening connection drops, then it comes back, listens again, tells subscribers of the gap, and messages flow again', async () => {
    const a = listener();
    const room = topic();
    await first.subscribe(room, a.subscriber);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const killed = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [name]);
      expect(killed.rowCount).to.equal(1);
      const deadline = Date.now() + 5000;
      while (a.gaps() === 0) {
        if (Date.now() > deadline) throw new Error('no gap was announced');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const back = await admin.query('select count(*)::int as n from pg_stat_activity where application_name = $1', [name]);
      expect(back.rows[0].n).to.equal(1);
    } finally {
      await admin.end();
    }
    await second.publish(room, 'after the drop');
    expect(await a.until(1)).to.deep.equal(['after the drop']);
  });
});
