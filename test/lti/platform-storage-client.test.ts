// The browser half of LTI platform storage (public/js/lti-storage.js), run against a fake window
// pair so each rule of the postMessage exchange can be checked on its own.
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { expect } from 'chai';

const source = readFileSync(new URL('../../public/js/lti-storage.js', import.meta.url), 'utf8');
const PLATFORM = 'https://lms.example.edu';

interface Sent {
  message: Record<string, unknown>;
  targetOrigin: string;
}
type Listener = (event: { origin: string; data: unknown }) => void;

/** A tool frame whose parent (the LMS window) records what it is sent. */
function makeFrame() {
  const sent: Sent[] = [];
  const listeners = new Set<Listener>();
  const parent = {
    postMessage: (message: Record<string, unknown>, targetOrigin: string) => sent.push({ message, targetOrigin }),
    frames: {} as Record<string, unknown>,
  };
  const win = {
    parent,
    addEventListener: (_type: string, fn: Listener) => listeners.add(fn),
    removeEventListener: (_type: string, fn: Listener) => listeners.delete(fn),
  };
  const deliver = (origin: string, data: unknown) => [...listeners].forEach((fn) => fn({ origin, data }));
  const context = vm.createContext({ setTimeout, clearTimeout, Promise, Math, Date, Object, Error });
  vm.runInContext(source, context);
  const create = context.TutorKitPlatformStorage as (o: object) => { put(k: string, v: string): Promise<unknown>; get(k: string): Promise<unknown> };
  return { sent, win, parent, deliver, listeners, storage: (target = '_parent', timeoutMs = 200) => create({ win, target, origin: PLATFORM, timeoutMs }) };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('Platform storage messages (public/js/lti-storage.js)', () => {
  it('When a value is put, then lti.put_data goes to the parent window addressed to the platform origin only', async () => {
    const frame = makeFrame();
    const done = frame.storage().put('tutorkit_state_abc', 'abc');
    const [{ message, targetOrigin }] = frame.sent as [Sent];
    expect(targetOrigin).to.equal(PLATFORM);
    expect(message).to.include({ subject: 'lti.put_data', key: 'tutorkit_state_abc', value: 'abc' });
    expect(message.message_id).to.be.a('string').and.have.length.greaterThan(8);
    frame.deliver(PLATFORM, { subject: 'lti.put_data.response', message_id: message.message_id, key: 'tutorkit_state_abc', value: 'abc' });
    expect(await done).to.include({ key: 'tutorkit_state_abc' });
    expect(frame.listeners.size, 'listener removed').to.equal(0);
  });

  it('When a reply comes from another origin, then it is ignored and the real reply still counts', async () => {
    const frame = makeFrame();
    const value = frame.storage().get('k');
    const id = (frame.sent[0] as Sent).message.message_id;
    frame.deliver('https://evil.example', { subject: 'lti.get_data.response', message_id: id, key: 'k', value: 'forged' });
    await tick();
    frame.deliver(PLATFORM, { subject: 'lti.get_data.response', message_id: id, key: 'k', value: 'real' });
    expect(await value).to.equal('real');
  });

  it('When a reply carries another message id or subject, then it is ignored', async () => {
    const frame = makeFrame();
    const value = frame.storage().get('k');
    const id = (frame.sent[0] as Sent).message.message_id;
    frame.deliver(PLATFORM, { subject: 'lti.get_data.response', message_id: 'someone-else', key: 'k', value: 'wrong id' });
    frame.deliver(PLATFORM, { subject: 'lti.put_data.response', message_id: id, key: 'k', value: 'wrong subject' });
    frame.deliver(PLATFORM, 'not an object');
    await tick();
    frame.deliver(PLATFORM, { subject: 'lti.get_data.response', message_id: id, key: 'k', value: 'right' });
    expect(await value).to.equal('right');
  });

  it('When the platform never answers, then the request fails after the timeout and stops listening', async () => {
    const frame = makeFrame();
    const started = Date.now();
    const error = await frame.storage('_parent', 60).get('k').then(() => null, (e: Error) => e);
    expect(error?.message).to.contain('did not answer lti.get_data');
    expect(Date.now() - started).to.be.at.least(50);
    expect(frame.listeners.size).to.equal(0);
  });

  it('When the platform answers with an error, then the request fails with its code', async () => {
    const frame = makeFrame();
    const value = frame.storage().get('missing');
    const id = (frame.sent[0] as Sent).message.message_id;
    frame.deliver(PLATFORM, { subject: 'lti.get_data.response', message_id: id, error: { code: 'bad_request', message: 'no data for key' } });
    const error = await value.then(() => null, (e: Error) => e);
    expect(error?.message).to.equal('bad_request: no data for key');
  });

  it('When the storage target names a frame in the parent, then messages go to that frame', async () => {
    const frame = makeFrame();
    const received: unknown[] = [];
    frame.parent.frames.post_message_forwarding = { postMessage: (m: unknown, o: string) => received.push([m, o]) };
    void frame.storage('post_message_forwarding').put('k', 'v').catch(() => undefined);
    expect(received).to.have.length(1);
    expect(frame.sent, 'nothing sent to the parent itself').to.have.length(0);
  });

  it('When there is no platform window (TutorKit is not framed), then the request fails at once', async () => {
    const frame = makeFrame();
    (frame.win as { parent: unknown }).parent = frame.win;
    const error = await frame.storage().put('k', 'v').then(() => null, (e: Error) => e);
    expect(error?.message).to.contain('no platform window');
  });

  it('When two requests are in flight, then each reply resolves only its own request', async () => {
    const frame = makeFrame();
    const storage = frame.storage();
    const a = storage.get('a');
    const b = storage.get('b');
    const [ma, mb] = frame.sent.map((s) => s.message) as [Record<string, unknown>, Record<string, unknown>];
    expect(ma.message_id).to.not.equal(mb.message_id);
    frame.deliver(PLATFORM, { subject: 'lti.get_data.response', message_id: mb.message_id, key: 'b', value: 'B' });
    frame.deliver(PLATFORM, { subject: 'lti.get_data.response', message_id: ma.message_id, key: 'a', value: 'A' });
    expect(await Promise.all([a, b])).to.deep.equal(['A', 'B']);
  });
});
