// The "bare SSE fan-out" reference: what holding event streams and fanning one message out to a
// room costs in Node with no framework, no database and no templates.
//   PORT=... node --import tsx bench/sse-bare.ts
//   GET  /rooms/:room/stream   holds an event stream (the room's snapshot is one short event)
//   POST /rooms/:room/chat     the body's text goes to every stream of the room as a `chat` event
//   GET  /healthz              200 with the number of open streams
import { createServer, type ServerResponse } from 'node:http';

const port = Number(process.env.PORT ?? '0');
const rooms = new Map<string, Set<ServerResponse>>();
let open = 0;
let nextId = 1;

const server = createServer((req, res) => {
  const match = /^\/rooms\/([\w-]+)\/(stream|chat)$/.exec(req.url ?? '');
  if (req.url === '/healthz') return void res.end(JSON.stringify({ streams: open }));
  if (!match) return void res.writeHead(404).end();
  const [, room = '', action] = match;
  if (action === 'stream' && req.method === 'GET') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store' });
    res.write('retry: 2000\n\nevent: replace\ndata: <ul id="present"></ul>\n\n');
    let members = rooms.get(room);
    if (!members) rooms.set(room, (members = new Set()));
    members.add(res);
    open++;
    res.on('close', () => {
      members.delete(res);
      open--;
    });
    return;
  }
  if (action === 'chat' && req.method === 'POST') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = new URLSearchParams(Buffer.concat(chunks).toString()).get('message') ?? '';
      const event = `id: ${nextId++}\nevent: chat\ndata: <li>${text.replace(/[<&]/g, '')}</li>\n\n`;
      for (const member of rooms.get(room) ?? []) member.write(event);
      res.end('ok');
    });
    return;
  }
  res.writeHead(405).end();
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`sse-bare listening on ${port}\n`));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
