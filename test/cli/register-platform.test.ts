import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { openDatabase } from '../../src/db/client.js';
import { readDirectoryLock } from '../../src/db/lock.js';
import { deployments, ltiRecords, platforms } from '../../src/db/schema.js';
import { launchAs, people } from '../support/launch.js';
import { PlatformSimulator, type ToolEndpoints } from '../support/platform-simulator.js';
import { killChildren, runCommand, serveDataDir, withinMs, type ServedTutorKit } from '../support/processes.js';

function registerPlatform(dataDir: string, args: string[], env: Record<string, string> = {}) {
  return runCommand('src/cli/register-platform.ts', args, { DATA_DIR: dataDir, ...env });
}

/** The command line that registers a simulated LMS. */
function argsFor(sim: PlatformSimulator): string[] {
  return [
    '--issuer', sim.issuer, '--client-id', sim.clientId, '--auth-endpoint', sim.authEndpoint,
    '--token-endpoint', sim.tokenEndpoint, '--keyset-url', sim.jwksUrl, '--deployment-id', sim.deploymentIds[0]!, '--name', `LMS at ${sim.url}`,
  ];
}

/** What a person sees when a launch from `sim` does not get through. */
async function launchRefusal(tool: ToolEndpoints, sim: PlatformSimulator): Promise<string> {
  try {
    const result = await sim.launch(tool, { user: people.student() });
    return result.status === 200 ? 'launched' : result.body;
  } catch (err) {
    return (err as Error).message;
  }
}

const canvas = [
  '--issuer', 'https://canvas.instructure.com',
  '--client-id', '10000000000042',
  '--auth-endpoint', 'https://sso.canvaslms.com/api/lti/authorize_redirect',
  '--token-endpoint', 'https://sso.canvaslms.com/login/oauth2/token',
  '--keyset-url', 'https://sso.canvaslms.com/api/lti/security/jwks',
];

describe('npm run register-platform', function () {
  this.timeout(150_000);
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'tutorkit-cli-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('When an admin registers Canvas twice with different deployment ids, then one platform holds all of them', async () => {
    const first = await registerPlatform(dataDir, [...canvas, '--deployment-id', '1:aaa', '--deployment-id', '2:bbb', '--name', 'State U Canvas']);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.contain('Registered State U Canvas');
    expect((await registerPlatform(dataDir, [...canvas, '--deployment-id', '3:ccc', '--name', 'State U Canvas'])).code).to.equal(0);
    const database = await openDatabase({ dataDir });
    try {
      const rows = await database.db.select().from(platforms);
      expect(rows).to.have.length(1);
      expect(rows[0]).to.include({ issuer: 'https://canvas.instructure.com', clientId: '10000000000042', name: 'State U Canvas', keysetUrl: 'https://sso.canvaslms.com/api/lti/security/jwks' });
      const ids = (await database.db.select().from(deployments).where(eq(deployments.platformId, rows[0]!.id))).map((d) => d.deploymentId).sort();
      expect(ids).to.deep.equal(['1:aaa', '2:bbb', '3:ccc']);
      const ltijs = await database.db.select().from(ltiRecords).where(eq(ltiRecords.collection, 'platform'));
      expect(ltijs).to.have.length(1);
      expect(ltijs[0]!.doc).to.deep.include({ platformUrl: 'https://canvas.instructure.com', clientId: '10000000000042', authConfig: { method: 'JWK_SET', key: 'https://sso.canvaslms.com/api/lti/security/jwks' } });
    } finally {
      await database.close();
    }
  });

  it('When arguments are missing or malformed, then it exits 1 naming each problem', async () => {
    const failure = await registerPlatform(dataDir, ['--issuer', 'https://moodle.example.edu', '--auth-endpoint', 'not a url']);
    expect(failure.code).to.equal(1);
    expect(failure.stderr).to.contain('--client-id is required');
    expect(failure.stderr).to.contain('--auth-endpoint must be an absolute URL');
    expect(failure.stderr).to.contain('at least one --deployment-id is required');
  });
});

// The issue: the command opened the database a second time, printed "Registered", and the server
// never saw it (and a kill -9 afterwards left a folder that no longer opened). One server is
// started, restarted and killed along the way; each test continues from the one before.
describe('Commands while TutorKit runs on the data directory', function () {
  this.timeout(150_000);
  let dataDir: string;
  let server: ServedTutorKit;
  const sims: PlatformSimulator[] = [];
  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'tutorkit-cli-served-'));
    for (let i = 0; i < 3; i++) sims.push(await PlatformSimulator.start());
    server = await serveDataDir(dataDir);
  });
  after(async () => {
    killChildren();
    for (const sim of sims) await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('When an admin registers an LMS, then the running server registers it: a launch from it works at once, and after a restart', async () => {
    const cli = await registerPlatform(dataDir, argsFor(sims[0]!));
    expect(cli.code, cli.stderr).to.equal(0);
    expect(cli.stdout).to.contain(`Registered LMS at ${sims[0]!.url}`).and.contain(`through the running TutorKit server (pid ${server.child.pid})`);
    await launchAs(server, sims[0]!, { user: people.instructor() });

    server.child.kill('SIGTERM');
    expect(await withinMs(server.exited, 12_000, 'shutting down')).to.include({ code: 0 });
    server = await serveDataDir(dataDir);
    await launchAs(server, sims[0]!, { user: people.student() });
  });

  it("When the command's LTI_KEY is not the server's, then it exits 1 saying so, prints no success, and the LMS stays unregistered", async () => {
    const cli = await registerPlatform(dataDir, argsFor(sims[1]!), { LTI_KEY: 'not-the-servers-key-0123456789abcdef' });
    expect(cli.code).to.equal(1);
    expect(cli.stdout).to.equal('');
    expect(cli.stderr).to.contain(`TutorKit (pid ${server.child.pid}) refused the request: this command's LTI_KEY is not the server's`);
    expect(await launchRefusal(server.tool, sims[1]!)).to.contain('This LMS is not registered with TutorKit');
  });

  it('When seed:large runs, then it exits 1 telling to stop TutorKit first, and the server keeps serving', async () => {
    const seed = await runCommand('bench/seed-large.ts', ['--courses', '1'], { DATA_DIR: dataDir });
    expect(seed.code).to.equal(1);
    expect(seed.stderr).to.contain(`TutorKit is running on this data directory (pid ${server.child.pid}`).and.contain('stop it first');
    expect(seed.stdout).to.not.contain('Seeded');
    await launchAs(server, sims[0]!, { user: people.tutor() });
  });

  it('When TutorKit is killed (-9) right after a registration through it, then the next start takes the stale lock over and both LMSes launch', async () => {
    const cli = await registerPlatform(dataDir, argsFor(sims[2]!));
    expect(cli.code, cli.stderr).to.equal(0);
    const killed = server.child.pid;
    server.child.kill('SIGKILL');
    await server.exited;

    server = await serveDataDir(dataDir, { LOG_LEVEL: 'warn' });
    expect(server.output()).to.contain(`Took over ${path.join(dataDir, 'pglite.lock')} from a TutorKit server (pid ${killed}`);
    expect(readDirectoryLock(dataDir)).to.include({ pid: server.child.pid, url: server.baseUrl });
    await launchAs(server, sims[2]!, { user: people.instructor() });
    await launchAs(server, sims[0]!, { user: people.instructor() });
  });
});
