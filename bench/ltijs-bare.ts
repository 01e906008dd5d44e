// The "bare ltijs" reference: ltijs 5.9 alone, with an in-memory store and no database, mounted
// in an Express app the way TutorKit mounts it. Its launch is login (302 to the platform with the
// state cookie) -> id_token POST -> 200 from onConnect. Run as a child process by bench/run.ts:
//   PORT=... LTI_KEY=... BENCH_PLATFORM='{"issuer":...,"clientId":...,"authEndpoint":...,"tokenEndpoint":...,"jwksUrl":...}'
//   node --import tsx bench/ltijs-bare.ts
import type { Request, RequestHandler, Response } from 'express';
import express from 'express';
import ltijs from 'ltijs';
import { MemoryStore } from './memory-store.js';

/** The subset of the ltijs Provider used here (@types/ltijs is out of date). */
interface BareProvider {
  app: RequestHandler;
  setup(key: string, database: { plugin: MemoryStore }, options: Record<string, unknown>): BareProvider;
  deploy(options: { serverless: boolean; silent: boolean }): Promise<boolean>;
  onConnect(cb: (token: { user: string; platformContext?: { context?: { id?: string } } }, req: Request, res: Response) => unknown): void;
  registerPlatform(platform: Record<string, unknown>): Promise<{ platformActive(): Promise<boolean> } | false>;
}

interface PlatformEnv {
  issuer: string;
  clientId: string;
  authEndpoint: string;
  tokenEndpoint: string;
  jwksUrl: string;
}

// bench/lib/launch-loop.ts checks the landing page for this id.
const BARE_LAUNCH_MARKER = 'bare-ltijs-launched';

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? '0');
  const key = process.env.LTI_KEY ?? '';
  const platform = JSON.parse(process.env.BENCH_PLATFORM ?? '{}') as PlatformEnv;
  const provider = (ltijs as unknown as { Provider: BareProvider }).Provider;
  const store = new MemoryStore();
  provider.setup(key, { plugin: store }, {
    appRoute: '/launch',
    loginRoute: '/login',
    keysetRoute: '/keys',
    // Verify the id_token POST and answer it from onConnect directly (no ltik redirect, no
    // session cookie), as TutorKit does; the state cookie is still required (devMode off).
    ltiaas: true,
    devMode: false,
    cors: false,
    tokenMaxAge: 60,
  });
  provider.onConnect((token, _req, res) => {
    const context = token.platformContext?.context?.id ?? '';
    res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ok</title></head><body><p id="${BARE_LAUNCH_MARKER}">${escapeHtml(token.user)} in ${escapeHtml(context)}</p></body></html>`);
  });
  await provider.deploy({ serverless: true, silent: true });
  await provider.registerPlatform({
    url: platform.issuer,
    clientId: platform.clientId,
    name: 'Bench platform',
    authenticationEndpoint: platform.authEndpoint,
    accesstokenEndpoint: platform.tokenEndpoint,
    authConfig: { method: 'JWK_SET', key: platform.jwksUrl },
  });

  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', store: store.counts() });
  });
  app.use('/lti', provider.app);
  const server = app.listen(port, '127.0.0.1', () => process.stdout.write(`ltijs-bare listening on ${port}\n`));
  process.on('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

main().catch((err: unknown) => {
  process.stderr.write(`ltijs-bare did not start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
