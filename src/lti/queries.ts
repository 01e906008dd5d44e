// Launch-state rows. The only Drizzle code in src/lti besides the ltijs store.
import { and, eq, gt, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { ltiLaunchStates, platforms } from '../db/schema.js';

export interface LoginParams {
  iss: string;
  login_hint: string;
  target_link_uri: string;
  client_id?: string;
  lti_deployment_id?: string;
  lti_message_hint?: string;
}

export async function findPlatformForLogin(db: Db, issuer: string, clientId: string | undefined) {
  const rows = await db
    .select({ id: platforms.id, clientId: platforms.clientId, authEndpoint: platforms.authEndpoint })
    .from(platforms)
    .where(clientId ? and(eq(platforms.issuer, issuer), eq(platforms.clientId, clientId)) : eq(platforms.issuer, issuer));
  // Without a client id the issuer must name exactly one registration.
  return rows.length === 1 ? rows[0] : undefined;
}

export async function insertLaunchState(
  db: Db,
  row: { state: string; nonce: string; platformId: string; loginParams: LoginParams; storageTarget: string | null; lifetimeSeconds: number },
) {
  await db.insert(ltiLaunchStates).values({
    state: row.state,
    nonce: row.nonce,
    platformId: row.platformId,
    loginParams: row.loginParams,
    storageTarget: row.storageTarget,
    expiresAt: sql`now() + make_interval(secs => ${row.lifetimeSeconds})`,
  });
}

/** Marks the state used and returns it, or returns nothing when it is unknown, expired or used. */
export async function consumeLaunchState(db: Db, state: string) {
  const rows = await db
    .update(ltiLaunchStates)
    .set({ usedAt: sql`now()` })
    .where(and(eq(ltiLaunchStates.state, state), isNull(ltiLaunchStates.usedAt), gt(ltiLaunchStates.expiresAt, sql`now()`)))
    .returning({
      nonce: ltiLaunchStates.nonce,
      loginParams: ltiLaunchStates.loginParams,
      storageTarget: ltiLaunchStates.storageTarget,
      authEndpoint: sql<string>`(select ${platforms.authEndpoint} from ${platforms} where ${platforms.id} = ${ltiLaunchStates.platformId})`,
    });
  const row = rows[0];
  return row && { ...row, loginParams: row.loginParams as LoginParams };
}

export async function wasLaunchStateUsed(db: Db, state: string): Promise<boolean> {
  const rows = await db.select({ usedAt: ltiLaunchStates.usedAt }).from(ltiLaunchStates).where(eq(ltiLaunchStates.state, state));
  return !!rows[0]?.usedAt;
}

export async function deleteExpiredLaunchStates(db: Db, now: Date): Promise<void> {
  // Used states are kept until they expire so a replay is recognised as one.
  await db.delete(ltiLaunchStates).where(lt(ltiLaunchStates.expiresAt, now));
}

/** Keeps a verified launch until the launch page confirms the state with the LMS window. */
export async function holdPendingLaunch(db: Db, state: string, launch: unknown): Promise<void> {
  await db.update(ltiLaunchStates).set({ pendingLaunch: launch }).where(eq(ltiLaunchStates.state, state));
}

/** Takes a held launch once; nothing when it is unknown, already taken or its state expired. */
export async function takePendingLaunch(db: Db, state: string): Promise<unknown> {
  const rows = await db
    .update(ltiLaunchStates)
    .set({ confirmedAt: sql`now()` })
    .where(
      and(
        eq(ltiLaunchStates.state, state),
        isNotNull(ltiLaunchStates.pendingLaunch),
        isNull(ltiLaunchStates.confirmedAt),
        gt(ltiLaunchStates.expiresAt, sql`now()`),
      ),
    )
    .returning({ launch: ltiLaunchStates.pendingLaunch });
  return rows[0]?.launch;
}
