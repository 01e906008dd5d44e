// loadConfig is given an explicit environment in every test: it never reads this process's env
// and never writes into the working directory.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../src/config.js';

const GOOD_KEY = 'k'.repeat(40);

function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'tutorkit-config-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('When nothing is set outside production, then the defaults describe a local development server with the demo on', () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config).to.deep.include({
      env: 'development',
      port: 3000,
      baseUrl: 'http://localhost:3000',
      databaseUrl: undefined,
      dataDir,
      smtpUrl: undefined,
      demo: true,
      logLevel: 'info',
      sessionMinutes: 120,
    });
    expect(config.frameAncestors).to.deep.equal([]);
    expect(Object.isFrozen(config)).to.equal(true);
  });

  it('When PORT is set without BASE_URL, then the base URL uses that port', () => {
    expect(loadConfig({ DATA_DIR: dataDir, PORT: '8080' })).to.include({ port: 8080, baseUrl: 'http://localhost:8080' });
  });

  it('When BASE_URL ends with slashes, then they are trimmed (a path prefix is kept)', () => {
    expect(loadConfig({ DATA_DIR: dataDir, BASE_URL: 'https://tutorkit.example.edu/' }).baseUrl).to.equal('https://tutorkit.example.edu');
    expect(loadConfig({ DATA_DIR: dataDir, BASE_URL: 'https://lms.example.edu/tutorkit//' }).baseUrl).to.equal(
      'https://lms.example.edu/tutorkit',
    );
  });

  it('When DATA_DIR is relative, then it is resolved against the working directory', () => {
    const config = loadConfig({ DATA_DIR: 'some/relative/dir', LTI_KEY: GOOD_KEY });
    expect(config.dataDir).to.equal(path.resolve('some/relative/dir'));
    expect(path.isAbsolute(config.dataDir)).to.equal(true);
    expect(loadConfig({ LTI_KEY: GOOD_KEY }).dataDir).to.equal(path.resolve('data'));
  });

  it('When no LTI_KEY is given, then one is generated into DATA_DIR/lti-key and the same key is reused next time', () => {
    const first = loadConfig({ DATA_DIR: dataDir });
    const file = path.join(dataDir, 'lti-key');
    expect(readFileSync(file, 'utf8').trim()).to.equal(first.ltiKey);
    expect(first.ltiKey).to.match(/^[0-9a-f]{64}$/);
    expect(statSync(file).mode & 0o777).to.equal(0o600);

    const second = loadConfig({ DATA_DIR: dataDir });
    expect(second.ltiKey).to.equal(first.ltiKey);
  });

  it('When DATA_DIR does not exist yet, then it is created to hold the generated key', () => {
    const nested = path.join(dataDir, 'a', 'b');
    const config = loadConfig({ DATA_DIR: nested });
    expect(readFileSync(path.join(nested, 'lti-key'), 'utf8').trim()).to.equal(config.ltiKey);
  });

  it('When the key file is empty or truncated, then the error names the file instead of starting with no key', () => {
    const file = path.join(dataDir, 'lti-key');
    writeFileSync(file, '\n');
    expect(configError({ DATA_DIR: dataDir })).to.contain(`LTI_KEY: ${file} holds no usable key`);
    writeFileSync(file, 'abc123');
    expect(configError({ DATA_DIR: dataDir })).to.contain(`${file} holds no usable key`);
    expect(readFileSync(file, 'utf8')).to.equal('abc123');
  });

  it('When LTI_KEY is given, then it is used and no key file is written', () => {
    const config = loadConfig({ DATA_DIR: dataDir, LTI_KEY: GOOD_KEY });
    expect(config.ltiKey).to.equal(GOOD_KEY);
    expect(() => statSync(path.join(dataDir, 'lti-key'))).to.throw();
  });

  it('When a key file exists, then LTI_KEY still wins', () => {
    writeFileSync(path.join(dataDir, 'lti-key'), 'f'.repeat(64) + '\n');
    expect(loadConfig({ DATA_DIR: dataDir, LTI_KEY: GOOD_KEY }).ltiKey).to.equal(GOOD_KEY);
    expect(loadConfig({ DATA_DIR: dataDir }).ltiKey).to.equal('f'.repeat(64));
  });

  it('When running in production with LTI_KEY and BASE_URL, then the demo is off unless DEMO=true', () => {
    const production = { NODE_ENV: 'production', LTI_KEY: GOOD_KEY, BASE_URL: 'https://tutorkit.example.edu', DATA_DIR: dataDir };
    expect(loadConfig(production)).to.include({ env: 'production', demo: false, baseUrl: 'https://tutorkit.example.edu' });
    expect(loadConfig({ ...production, DEMO: 'true' }).demo).to.equal(true);
    expect(loadConfig({ ...production, DEMO: 'yes' }).demo).to.equal(true);
    expect(loadConfig({ DATA_DIR: dataDir, DEMO: 'off' }).demo).to.equal(false);
    expect(loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test' }).demo).to.equal(true);
  });

  it('When NODE_ENV is unset but BASE_URL is a public address, then the demo and the development mailbox are off', () => {
    const config = loadConfig({ DATA_DIR: dataDir, BASE_URL: 'https://tutorkit.example.edu' });
    expect(config).to.include({ env: 'development', demo: false });
    expect(config.warnings).to.deep.equal([]);
  });

  it('When BASE_URL is a loopback address (localhost, 127.0.0.1, [::1]), then the demo is on by default without a warning', () => {
    for (const BASE_URL of ['http://localhost:3000', 'http://127.0.0.1:8080', 'http://[::1]:3000', 'http://tutorkit.localhost']) {
      const config = loadConfig({ DATA_DIR: dataDir, BASE_URL });
      expect(config.demo, BASE_URL).to.equal(true);
      expect(config.warnings, BASE_URL).to.deep.equal([]);
    }
  });

  it('When DEMO=true is set for a public address, then the demo is on and a warning says who can reach it', () => {
    const config = loadConfig({ DATA_DIR: dataDir, BASE_URL: 'https://tutorkit.example.edu', DEMO: 'true' });
    expect(config.demo).to.equal(true);
    expect(config.warnings).to.have.length(1);
    expect(config.warnings![0]).to.contain('not a loopback address').and.contain('DEMO=false');
  });

  it('When production lacks LTI_KEY and BASE_URL, then the error names both and no key file is generated', () => {
    const message = configError({ NODE_ENV: 'production', DATA_DIR: dataDir });
    expect(message).to.contain('LTI_KEY: required in production');
    expect(message).to.contain('BASE_URL: required in production');
    expect(() => statSync(path.join(dataDir, 'lti-key'))).to.throw();
  });

  it('When production lacks only BASE_URL, then the error names BASE_URL and not LTI_KEY', () => {
    const message = configError({ NODE_ENV: 'production', LTI_KEY: GOOD_KEY, DATA_DIR: dataDir });
    expect(message).to.contain('BASE_URL');
    expect(message).to.not.contain('LTI_KEY');
  });

  it('When several values are bad, then one ConfigError names every bad variable with what is expected', () => {
    const message = configError({
      DATA_DIR: dataDir,
      PORT: 'abc',
      BASE_URL: 'tutorkit.example.edu',
      DATABASE_URL: 'mysql://db/tutorkit',
      LTI_KEY: 'too-short',
      SMTP_URL: 'http://mail.example.edu',
      DEMO: 'maybe',
      LOG_LEVEL: 'loud',
      SESSION_MINUTES: '1',
      NODE_ENV: 'staging',
    });
    expect(message).to.match(/^Invalid configuration:\n/);
    expect(message).to.contain('PORT: must be a port number');
    expect(message).to.contain('BASE_URL: must be an absolute URL');
    expect(message).to.contain('DATABASE_URL: must start with postgres:// or postgresql://');
    expect(message).to.contain('LTI_KEY: must be at least 32 characters');
    expect(message).to.contain('SMTP_URL: must start with smtp:// or smtps://');
    expect(message).to.contain('DEMO: must be one of true/false');
    expect(message).to.match(/LOG_LEVEL: .*silent/);
    expect(message).to.match(/SESSION_MINUTES: .*5/);
    expect(message).to.match(/NODE_ENV: .*production/);
    // The secret itself is never echoed back.
    expect(message).to.not.contain('too-short');
  });

  it('When a bad value comes with missing production settings, then the error names all of them at once', () => {
    const message = configError({ NODE_ENV: 'production', PORT: '70000', DATA_DIR: dataDir });
    expect(message).to.contain('PORT');
    expect(message).to.contain('LTI_KEY');
    expect(message).to.contain('BASE_URL');
  });

  it('When variables are set to empty or blank strings, then they count as unset', () => {
    const config = loadConfig({ DATA_DIR: dataDir, PORT: '', BASE_URL: '', DATABASE_URL: '', DEMO: '', LOG_LEVEL: ' ', FRAME_ANCESTORS: '' });
    expect(config).to.include({ port: 3000, baseUrl: 'http://localhost:3000', databaseUrl: undefined, demo: true, logLevel: 'info' });
    expect(loadConfig({ DATA_DIR: dataDir, PORT: '  ' }).port).to.equal(3000);
    const message = configError({ NODE_ENV: 'production', LTI_KEY: '', BASE_URL: 'https://tutorkit.example.edu', DATA_DIR: dataDir });
    expect(message).to.contain('LTI_KEY: required in production');
  });

  it('When FRAME_ANCESTORS lists origins separated by spaces and commas, then each becomes one entry', () => {
    const config = loadConfig({
      DATA_DIR: dataDir,
      FRAME_ANCESTORS: ' https://a.example.edu, https://b.example.edu  https://c.example.edu,,https://d.example.edu ',
    });
    expect(config.frameAncestors).to.deep.equal([
      'https://a.example.edu',
      'https://b.example.edu',
      'https://c.example.edu',
      'https://d.example.edu',
    ]);
  });

  it('When DATABASE_URL names a server, then it is kept as given', () => {
    const url = 'postgresql://tutor:pw@db.example.edu:5432/tutorkit';
    expect(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: url }).databaseUrl).to.equal(url);
  });
});
