// The "bare Node http" reference: the fastest a Node process on this machine answers a request.
//   PORT=... node --import tsx bench/http-bare.ts
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? '0');
const server = createServer((_req, res) => res.end('ok'));
server.listen(port, '127.0.0.1', () => process.stdout.write(`http-bare listening on ${port}\n`));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
