import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { openDatabase } from '../../src/db/client.js';
import { deployments, ltiRecords, platforms } from '../../src/db/schema.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

function registerPlatform(dataDir: string, args: string[]) {
  const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' };
  return run(process.execPath, ['--import', 'tsx', 'src/cli/register-platform.ts', ...args], { cwd: root, env });
}

const canvas = [
  '--issuer', 'https://canvas.instructure.com',
  '--client-id', '10000000000042',
  '--auth-endpoint', 'https://sso.canvaslms.com/api/lti/authorize_redirect',
  '--token-endpoint', 'https://sso.canvaslms.com/login/oauth2/token',
  '--keyset-url', 'https://sso.canvaslms.com/api/lti/security/jwks',
];

describe('npm run register-platform', function () {
  this.timeout(60_000);
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'tutorkit-cli-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('When an admin registers Canvas twice with different deployment ids, then one platform holds all of them', async () => {
    const first = await registerPlatform(dataDir, [...canvas, '--deployment-id', '1:aaa', '--deployment-id', '2:bbb', '--name', 'State U Canvas']);
    expect(first.stdout).to.contain('Registered State U Canvas');
    await registerPlatform(dataDir, [...canvas, '--deployment-id', '3:ccc', '--name', 'State U Canvas']);
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
    const failure = await registerPlatform(dataDir, ['--issuer', 'https://moodle.example.edu', '--auth-endpoint', 'not a url']).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure?.code).to.equal(1);
    expect(failure?.stderr).to.contain('--client-id is required');
    expect(failure?.stderr).to.contain('--auth-endpoint must be an absolute URL');
    expect(failure?.stderr).to.contain('at least one --deployment-id is required');
  });
});
