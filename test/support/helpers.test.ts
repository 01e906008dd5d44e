// The helpers every page test leans on: if they misread a page or send a request htmx would not,
// every test built on them is wrong in the same way.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express, { Router } from 'express';
import { htmx } from './htmx.js';
import { listRoutes } from './routes.js';
import { textOf } from './text.js';

describe('Test helpers', () => {
  describe('textOf', () => {
    it('When a page has block and inline elements, then block tags separate words and inline ones do not', () => {
      const html = '<li><a href="/x"><span class="entry-time"><time datetime="t">16:00</time>–17:00</span> <span>Drop-in</span><span class="visually-hidden">, cancelled</span></a></li><li>Next</li>';
      expect(textOf(html)).to.equal('16:00–17:00 Drop-in, cancelled Next');
    });

    it('When text holds character references, then they read as the characters, decoded once', () => {
      expect(textOf('<p>Tom &amp; Jerry&#39;s &lt;b&gt; &quot;x&quot;&nbsp;y &#x2013; &amp;lt;</p>')).to.equal('Tom & Jerry\'s <b> "x" y – &lt;');
    });

    it('When a page has scripts, styles, comments and runs of white space, then only the words remain, single-spaced', () => {
      expect(textOf('<head><style>p { color: red }</style><script src="a.js"></script><script>var x = 1;</script></head>\n<body> <!-- note --> <h1>  Edit\n\tsettings </h1></body>')).to.equal('Edit settings');
    });
  });

  describe('htmx', () => {
    let server: Server;
    let baseUrl: string;
    before(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => res.setHeader('content-type', 'application/json').end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body })));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const echo = async (res: Response) => (await res.json()) as { method: string; url: string; headers: Record<string, string>; body: string };

    it('When a form is posted to a fragment, then the token, HX-Request, HX-Target and repeated keys go as htmx sends them', async () => {
      const sent = await echo(await htmx({ baseUrl }, { token: 'tok' }, '/c/1/tags/topic', { method: 'post', target: 'tags-topic', fields: { name: 'A & B', tagIds: ['1', '2'] } }));
      expect(sent).to.deep.include({ method: 'POST', url: '/c/1/tags/topic', body: 'name=A+%26+B&tagIds=1&tagIds=2' });
      expect(sent.headers).to.include({ authorization: 'Bearer tok', 'hx-request': 'true', 'hx-target': 'tags-topic' });
      expect(sent.headers['content-type']).to.match(/^application\/x-www-form-urlencoded/);
    });

    it('When fields go with GET or DELETE, then they are in the query string after the path’s own, and there is no body', async () => {
      for (const method of ['GET', 'DELETE']) {
        const sent = await echo(await htmx({ baseUrl }, { token: 'tok' }, '/c/1/sessions?view=list', { method, fields: { tagIds: ['1', '2'] } }));
        expect(sent, method).to.deep.include({ method, url: '/c/1/sessions?view=list&tagIds=1&tagIds=2', body: '' });
      }
    });

    it('When the request is direct or from nobody, then the htmx headers or the token are left out', async () => {
      const direct = await echo(await htmx({ baseUrl }, { token: 'tok' }, '/x', { direct: true, headers: { 'HX-Boosted': 'true' } }));
      expect(direct.headers).to.include({ authorization: 'Bearer tok', 'hx-boosted': 'true' }).and.not.to.have.property('hx-request');
      const nobody = await echo(await htmx({ baseUrl }, null, '/x'));
      expect(nobody.headers).to.include({ 'hx-request': 'true' }).and.not.to.have.property('authorization');
    });

    it('When the answer is a redirect, then it comes back as the 303, not followed', async () => {
      const other = createServer((_req, res) => res.writeHead(303, { location: '/elsewhere' }).end());
      await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
      try {
        const res = await htmx({ baseUrl: `http://127.0.0.1:${(other.address() as AddressInfo).port}` }, { token: 'tok' }, '/c/1/sessions', { method: 'POST' });
        expect([res.status, res.headers.get('location')]).to.deep.equal([303, '/elsewhere']);
      } finally {
        other.closeAllConnections();
        await new Promise<void>((resolve) => other.close(() => resolve()));
      }
    });
  });

  describe('listRoutes', () => {
    const handler = (_req: unknown, res: { end(): void }) => res.end();

    it('When routers are mounted at "/", at a path, at several paths and inside each other, then every route is listed with its full path and method', () => {
      const app = express();
      app.get('/healthz', handler);
      const course = Router();
      course.use('/c/:courseId', (_req, _res, next) => next());
      course.route('/c/:courseId/tags').get(handler).post(handler);
      app.use(course);
      const admin = Router();
      admin.get('/settings', handler);
      const deep = Router();
      deep.delete('/:id', handler);
      admin.use('/items', deep);
      app.use('/admin', admin);
      const shared = Router();
      shared.put('/x', handler);
      app.use(['/a', '/b'], shared);
      expect(listRoutes(app)).to.deep.equal([
        'GET /healthz',
        'GET /c/:courseId/tags',
        'POST /c/:courseId/tags',
        'GET /admin/settings',
        'DELETE /admin/items/:id',
        'PUT /a/x',
        'PUT /b/x',
      ]);
    });

    it('When a router is mounted where its path cannot be read, then listing fails instead of leaving its routes out', () => {
      const hidden = Router();
      hidden.get('/c/:courseId/secret', handler);
      const mount = Object.assign(() => undefined, { stack: hidden.stack });
      const app = { router: { stack: [{ name: 'router', regexp: /^\/somewhere\/?(?=\/|$)/i, handle: mount }] } };
      expect(() => listRoutes(app)).to.throw(/Cannot read the path the router "router" is mounted at/);
    });
  });
});

