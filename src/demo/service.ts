// A built-in stand-in for an LMS, so a newcomer can click through TutorKit without one. It does
// what a real platform does: signs an id_token with its own RSA key and runs the OIDC redirects.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import * as courses from '../courses/queries.js';
import { recordLaunchRole } from '../courses/memberships.js';
import { registerPlatform, type PlatformRegistration } from '../courses/service.js';
import { ValidationError } from '../lib/errors.js';
import { seedDemoHistory } from './history.js';
import { ensureLiveSession } from './live-session.js';
import { DEMO_COURSE, DEMO_PEOPLE, demoEmail, fullName, INSTITUTION_ADMIN, LTI_ROLE_FOR, type DemoPerson } from './people.js';
import { insertSettingOnce, readSetting, seedAvailability } from './queries.js';

const KEY_SETTING = 'demo_lms_signing_key';
export const DEMO_CLIENT_ID = 'tutorkit-demo';
export const DEMO_DEPLOYMENT_ID = 'demo-deployment';

interface StoredKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

export interface DemoLms {
  issuer: string;
  people: readonly DemoPerson[];
  /** The login-initiation fields a real LMS posts to the tool. */
  loginFields(person: DemoPerson): Record<string, string>;
  /** The id_token answering an OIDC authorization request. */
  authorize(query: Record<string, unknown>): Promise<{ redirectUri: string; idToken: string; state: string }>;
}

export type LtiRegistrar = (p: PlatformRegistration & { publicJwk: JWK }) => Promise<void>;

export interface DemoOptions {
  /**
   * The demo course's content: its history on the first start (history.ts) and, at every launch,
   * a session everyone can join now (live-session.ts). Off, the demo course has only its people.
   */
  content: boolean;
  log?: Logger;
}

export async function setUpDemoLms(db: Db, baseUrl: string, registerWithLti: LtiRegistrar, now: () => Date, options: DemoOptions = { content: false }): Promise<DemoLms> {
  const issuer = `${baseUrl}/demo-lms`;
  const key = await loadOrCreateKey(db);
  const registration: PlatformRegistration = {
    issuer,
    clientId: DEMO_CLIENT_ID,
    name: 'TutorKit demo LMS',
    authEndpoint: `${issuer}/auth`,
    tokenEndpoint: `${issuer}/token`,
    keysetUrl: null,
    isDemo: true,
    deploymentIds: [DEMO_DEPLOYMENT_ID],
  };
  const platformId = await registerPlatform(db, registration, (p) => registerWithLti({ ...p, publicJwk: key.publicJwk }));
  const courseId = await seedDemoCourse(db, platformId, now());
  if (options.content) {
    const history = await seedDemoHistory(db, { platformId, courseId }, now());
    if (history.stored + history.skipped > 0) options.log?.info(history, 'demo course: history stored (sessions)');
  }
  const beforeLaunch = async () => {
    if (!options.content) return;
    const live = await ensureLiveSession(db, { platformId, courseId }, now());
    if (live.occurrenceId === null) options.log?.warn({ reason: live.reason }, 'demo launch: no session everyone can join now');
  };
  const signingKey = await importJWK(key.privateJwk, 'RS256');
  const launchUrl = `${baseUrl}/lti/launch`;

  return {
    issuer,
    people: DEMO_PEOPLE,
    loginFields: (person) => ({
      iss: issuer,
      login_hint: person.sub,
      target_link_uri: launchUrl,
      lti_message_hint: randomUUID(),
      client_id: DEMO_CLIENT_ID,
      lti_deployment_id: DEMO_DEPLOYMENT_ID,
    }),
    authorize: async (query) => {
      const person = DEMO_PEOPLE.find((p) => p.sub === query.login_hint);
      const problem = checkAuthRequest(query, launchUrl) ?? (person ? null : 'login_hint names nobody in the demo course');
      if (problem || !person) throw new ValidationError(`The demo LMS refused the sign-in request: ${problem}.`);
      await beforeLaunch();
      const idToken = await new SignJWT(claimsFor(person, { issuer, baseUrl, launchUrl, nonce: String(query.nonce) }))
        .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
        .setIssuedAt(Math.floor(now().getTime() / 1000))
        .setExpirationTime(Math.floor(now().getTime() / 1000) + 300)
        .sign(signingKey);
      return { redirectUri: launchUrl, idToken, state: String(query.state) };
    },
  };
}

/** The checks a real platform makes on an OIDC authorization request. */
function checkAuthRequest(query: Record<string, unknown>, launchUrl: string): string | null {
  if (query.scope !== 'openid') return 'scope must be openid';
  if (query.response_type !== 'id_token') return 'response_type must be id_token';
  if (query.response_mode !== 'form_post') return 'response_mode must be form_post';
  if (query.client_id !== DEMO_CLIENT_ID) return 'unknown client_id';
  if (query.redirect_uri !== launchUrl) return 'redirect_uri is not the registered launch URL';
  if (!query.nonce || !query.state) return 'nonce and state are required';
  return null;
}

function claimsFor(person: DemoPerson, ctx: { issuer: string; baseUrl: string; launchUrl: string; nonce: string }) {
  const lti = 'https://purl.imsglobal.org/spec/lti/claim';
  return {
    iss: ctx.issuer,
    aud: DEMO_CLIENT_ID,
    azp: DEMO_CLIENT_ID,
    sub: person.sub,
    nonce: ctx.nonce,
    name: fullName(person),
    given_name: person.givenName,
    family_name: person.familyName,
    email: demoEmail(person),
    [`${lti}/message_type`]: 'LtiResourceLinkRequest',
    [`${lti}/version`]: '1.3.0',
    [`${lti}/deployment_id`]: DEMO_DEPLOYMENT_ID,
    [`${lti}/target_link_uri`]: ctx.launchUrl,
    [`${lti}/resource_link`]: { id: 'demo-course-navigation', title: 'TutorKit' },
    [`${lti}/roles`]: [LTI_ROLE_FOR[person.role], ...(person.siteAdmin ? [INSTITUTION_ADMIN] : [])],
    [`${lti}/context`]: {
      id: DEMO_COURSE.contextId,
      label: DEMO_COURSE.label,
      title: DEMO_COURSE.title,
      type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'],
    },
    [`${lti}/tool_platform`]: { guid: ctx.issuer, name: 'TutorKit demo LMS', product_family_code: 'tutorkit-demo' },
    [`${lti}/launch_presentation`]: { document_target: 'window', return_url: `${ctx.baseUrl}/` },
  };
}

async function loadOrCreateKey(db: Db): Promise<StoredKey> {
  const stored = await readSetting<StoredKey>(db, KEY_SETTING);
  if (stored) return stored;
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  const fresh: StoredKey = {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
  };
  return insertSettingOnce(db, KEY_SETTING, fresh);
}

/** The course roster exists before anyone launches, as it would after an LMS roster sync. */
async function seedDemoCourse(db: Db, platformId: string, at: Date): Promise<string> {
  return db.transaction(async (tx) => {
    const courseId = await courses.upsertCourse(tx, { platformId, ...DEMO_COURSE, at });
    for (const person of DEMO_PEOPLE) {
      const userId = await courses.upsertUser(tx, {
        platformId,
        sub: person.sub,
        name: fullName(person),
        givenName: person.givenName,
        familyName: person.familyName,
        email: demoEmail(person),
        isAdmin: false,
        at,
      });
      // As a launch would: a tutor role someone was given in TutorKit survives the next start.
      await recordLaunchRole(tx, { platformId, courseId, userId, lmsRole: person.role, lmsRoleSource: 'lms', ltiRoles: [LTI_ROLE_FOR[person.role]], at });
      const { availability } = person;
      if (availability) {
        const ranges = availability.weekly.flatMap(({ weekdays, start, end }) => weekdays.map((weekday) => ({ weekday, start, end })));
        await seedAvailability(tx, userId, availability.zone, ranges);
      }
    }
    return courseId;
  });
}
