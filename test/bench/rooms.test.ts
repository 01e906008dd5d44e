// The room scenarios' own instruments: the event-stream client, the chat timing and the held
// streams, against a small event-stream server in the test (no TutorKit): a harness that missed a
// lost message or a dropped stream would report speed it never measured.
import { expect } from 'chai';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { holdStreams, measureChat } from '../../bench/lib/rooms.js';

interface FakeRoom {
  url: string;
  streams: Set<ServerResponse>;
  /** Messages whose text contains this are sent to every stream but the first. */
  dropFor?: string;
  close(): Promise<void>;
}

async function fakeRoom(): Promise<FakeRoom> {
  const streams = new Set<ServerResponse>();
  const room: Partial<FakeRoom> = { streams };
  const server: Server = createServer((req, res) => {
    if (req.url === '/stream') {
      if (req.headers.authorization !== 'Bearer good') return void res.writeHead(403).end();
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('retry: 2000\n\nevent: replace\ndata: <ul>\ndata: </ul>\n\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      [...streams].forEach((s, i) => {
        if (i === 0 && room.dropFor && text.includes(room.dropFor)) return;
        s.write(`id: 1\nevent: chat\ndata: <li>${text}</li>\n\n`);
      });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(room, {
    url,
    close: () => {
      for (const s of streams) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  }) as FakeRoom;
}

describe('Bench: the room scenarios’ instruments', () => {
  let room: FakeRoom;
  beforeEach(async () => (room = await fakeRoom()));
  afterEach(async () => room.close());
  const post = (text: string) => fetch(`${room.url}/chat`, { method: 'POST', body: text }).then((r) => void r.arrayBuffer());

  it('When a chat message reaches every stream, then each arrival is one sample and nothing is an error', async () => {
    const { measurement, streams } = await measureChat({ streamUrl: `${room.url}/stream`, listenerTokens: Array(8).fill('good'), post, messages: 3, intervalMs: 10 });
    expect(streams).to.equal(8);
    expect(measurement.count).to.equal(24);
    expect(measurement.errors).to.equal(0);
    expect(measurement.p95).to.be.greaterThan(0);
  });

  it('When one stream misses a message, then that is an error, not a faster figure', async function () {
    this.timeout(20_000);
    room.dropFor = 'bench-chat-2-end';
    const { measurement } = await measureChat({ streamUrl: `${room.url}/stream`, listenerTokens: Array(4).fill('good'), post, messages: 2, intervalMs: 10 });
    expect(measurement.count).to.equal(7);
    expect(measurement.errors).to.equal(1);
    expect(measurement.errorSamples[0]?.message).to.match(/did not reach a stream/);
  });

  it('When a listener is refused, then the run fails instead of measuring fewer listeners', async () => {
    let failure: unknown;
    await measureChat({ streamUrl: `${room.url}/stream`, listenerTokens: ['good', 'forged'], post, messages: 1, intervalMs: 10 }).catch((err: unknown) => (failure = err));
    expect(String(failure)).to.match(/HTTP 403/);
  });

  it('When streams are held with churn, then every stream is open at the peak and one the server drops is an error', async () => {
    const holders = Array.from({ length: 30 }, () => ({ url: `${room.url}/stream`, token: 'good' }));
    // In 1 s at 10/s the churn reopens the first ten; the server drops one of the last ones.
    const run = holdStreams({ holders, openPerSecond: 100, churnPerSecond: 10, holdS: 1 });
    await new Promise((resolve) => setTimeout(resolve, 700));
    [...room.streams].at(-1)?.destroy();
    const { measurement, peakOpen } = await run;
    expect(peakOpen).to.equal(30);
    expect(measurement.count).to.be.at.least(30 + 5);
    expect(measurement.errors).to.equal(1);
    // And the run lets go of every stream it held.
    for (let i = 0; i < 40 && room.streams.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(room.streams.size).to.equal(0);
  });
});
