// Event streams on a bare HTTP server: headers, the retry hint, events with several lines, the
// heartbeat, and the count of open streams as clients come and go.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { EventStreams, type EventStream } from '../../src/live/sse.js';
import { SseReader } from '../support/sse.js';

describe('Event streams', () => {
  let server: Server;
  let streams: EventStreams;
  let baseUrl: string;
  const opened: EventStream[] = [];
  let closedOnServer = 0;

  before(async () => {
    streams = new EventStreams({ heartbeatMs: 50, retryMs: 1500 });
    server = createServer((req, res) => {
      const stream = streams.open(req, res);
      opened.push(stream);
      stream.onClose(() => closedOnServer++);
      stream.send('replace', '<div id="a">\n  two lines\n</div>', 7);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    streams.stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const until = async (check: () => boolean, what: string) => {
    const deadline = Date.now() + 3000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it('When a client connects, then it gets an uncached event stream, the retry hint, events whose lines survive, and heartbeats', async () => {
    const reader = await SseReader.expectOpen({ baseUrl }, { token: 'none' }, '/');
    expect(reader.response.headers.get('content-type')).to.equal('text/event-stream; charset=utf-8');
    expect(reader.response.headers.get('cache-control')).to.equal('no-store, no-transform');
    expect(reader.response.headers.get('x-accel-buffering')).to.equal('no');
    const first = await reader.waitFor((e) => e.event === 'replace');
    expect(first).to.deep.equal({ event: 'replace', data: '<div id="a">\n  two lines\n</div>', id: '7' });
    expect(reader.retryMs).to.equal(1500);
    await until(() => reader.comments >= 2, 'two heartbeats');
    reader.close();
  });

  it('When clients come and go, then the count follows, and the server learns of each close', async () => {
    const before = closedOnServer;
    const readers = [await SseReader.expectOpen({ baseUrl }, null, '/'), await SseReader.expectOpen({ baseUrl }, { token: 'x' }, '/')];
    await until(() => streams.count === 2, 'two open streams');
    readers[0]!.close();
    await until(() => streams.count === 1 && closedOnServer === before + 1, 'one stream closed');
    opened.at(-1)!.end();
    await readers[1]!.waitForEnd();
    await until(() => streams.count === 0 && closedOnServer === before + 2, 'both closed');
    opened.at(-1)!.send('late', 'nothing happens');
  });
});
