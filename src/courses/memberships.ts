// A membership's role, wherever it comes from: the LMS (each launch), a designation on the Tutors
// page, a site administrator's site-tutor communities. The one rule (roleRule, in
// membership-queries.ts: a designation makes a tutor, else the LMS's role) is applied after every
// change, and every change of a role is written to the role-change log.
import type { Db } from '../db/client.js';
import { ConflictError, NotFoundError } from '../lib/errors.js';
import type { Role } from '../lib/session-token.js';
import * as m from './membership-queries.js';
import type { MembershipState } from './membership-queries.js';
import { describeRuleChanges, rulesOrDefaults, type RoleRules } from './role-rules.js';

/** "none": the person has no role in the course (they left it). */
export type RoleOrNone = Role | 'none';

export interface LaunchRole {
  platformId: string;
  courseId: string;
  userId: string;
  /** The role the launch's LMS roles give through the platform's mapping. */
  lmsRole: Role;
  lmsRoleSource: 'lms' | 'mapping';
  ltiRoles: string[];
  at: Date;
}

/** Stores what a launch (or the demo's roster) says and returns the person's role in the course (a designation keeps a tutor a tutor). */
export async function recordLaunchRole(tx: Db, l: LaunchRole): Promise<Role> {
  const { role, before, beforeEnded } = await m.upsertLaunchMembership(tx, l);
  const was: RoleOrNone | null = before === null ? null : beforeEnded ? 'none' : before;
  // A first launch is no change; a launch that gives someone another role than they had is.
  if (was !== null && was !== role) await m.insertRoleChange(tx, { platformId: l.platformId, courseId: l.courseId, userId: l.userId, actorId: null, kind: 'launch', from: was, to: role, at: l.at });
  return role;
}

export interface RoleChangeOutcome {
  changed: boolean;
  /** The role before and after, in the course. */
  from: RoleOrNone;
  to: RoleOrNone;
}

async function activeState(tx: Db, courseId: string, userId: string): Promise<MembershipState> {
  const state = await m.findMembershipState(tx, courseId, userId);
  if (!state || state.endedAt) throw new NotFoundError('This person is not a member of this course.');
  return state;
}

/** Makes a course member a tutor of the course (the Tutors page's Make tutor). */
export async function designateTutor(db: Db, actorId: string, platformId: string, courseId: string, userId: string, at: Date): Promise<RoleChangeOutcome> {
  return db.transaction(async (tx) => {
    const state = await activeState(tx, courseId, userId);
    if (userId === actorId) throw new ConflictError('You cannot change your own role. Ask another instructor or a site administrator.');
    if (state.role === 'admin') throw new ConflictError('A site administrator keeps their role in the course; they can schedule sessions already.');
    if (state.role === 'tutor') return { changed: false, from: state.role, to: state.role };
    await m.insertDesignation(tx, { courseId, userId, kind: 'course', createdBy: actorId, at });
    const to = (await m.settleMembership(tx, { courseId: courseId, userId: userId, at, leftLms: false })) ?? 'none';
    await m.insertRoleChange(tx, { platformId, courseId, userId, actorId, kind: 'designated', from: state.role, to, at });
    return { changed: true, from: state.role, to };
  });
}

/** Takes back a tutor role given on the Tutors page: the person has their LMS role again. */
export async function removeTutorDesignation(db: Db, actorId: string, platformId: string, courseId: string, userId: string, at: Date): Promise<RoleChangeOutcome> {
  return db.transaction(async (tx) => {
    const state = await activeState(tx, courseId, userId);
    if (!state.designations.includes('course')) return { changed: false, from: state.role, to: state.role };
    await m.endDesignations(tx, { courseId, userId, kinds: ['course'], endedBy: actorId, at });
    const to = (await m.settleMembership(tx, { courseId: courseId, userId: userId, at, leftLms: false })) ?? 'none';
    await m.insertRoleChange(tx, { platformId, courseId, userId, actorId, kind: 'designation_removed', from: state.role, to, at });
    return { changed: true, from: state.role, to };
  });
}

/**
 * The person left the course in the LMS (roster sync, the LMS's own removal): their LMS role and
 * any tutor role given on the Tutors page end with it, and so does their access, unless a site
 * administrator made them a site tutor of this community. A person who is no LMS member of the
 * course (a site tutor only) is left as they are.
 */
export async function endMembership(db: Db, courseId: string, userId: string, at: Date): Promise<RoleChangeOutcome> {
  return db.transaction(async (tx) => {
    const state = await m.findMembershipState(tx, courseId, userId);
    if (!state || state.endedAt || (state.lmsRole === null && !state.designations.includes('course'))) {
      const now: RoleOrNone = state && !state.endedAt ? state.role : 'none';
      return { changed: false, from: now, to: now };
    }
    const course = (await m.findCourse(tx, courseId))!;
    await m.endDesignations(tx, { courseId, userId, kinds: ['course'], endedBy: null, at });
    const to = (await m.settleMembership(tx, { courseId: courseId, userId: userId, at, leftLms: true })) ?? 'none';
    await m.insertRoleChange(tx, { platformId: course.platformId, courseId, userId, actorId: null, kind: 'left_course', from: state.role, to: to === 'none' ? 'none' : `${to} (site tutor)`, at });
    return { changed: true, from: state.role, to };
  });
}

/**
 * Makes a person a site tutor of exactly these communities of their site (`chosen`, checked by the
 * caller): a tutor there without an LMS role, until a site administrator takes the community away.
 */
export async function setSiteTutorCommunities(
  db: Db,
  input: { actorId: string; platformId: string; userId: string; chosen: { id: string; title: string }[]; at: Date },
): Promise<{ changed: boolean }> {
  const { actorId, platformId, userId, chosen, at } = input;
  return db.transaction(async (tx) => {
    const current = await m.listSiteDesignations(tx, userId);
    const added = chosen.filter((c) => !current.some((x) => x.courseId === c.id));
    const ended = current.filter((x) => !chosen.some((c) => c.id === x.courseId));
    for (const c of added) {
      await m.insertSiteMembership(tx, c.id, userId, at);
      await m.insertDesignation(tx, { courseId: c.id, userId, kind: 'site', createdBy: actorId, at });
      await m.settleMembership(tx, { courseId: c.id, userId: userId, at, leftLms: false });
    }
    for (const x of ended) {
      await m.endDesignations(tx, { courseId: x.courseId, userId, kinds: ['site'], endedBy: actorId, at });
      await m.settleMembership(tx, { courseId: x.courseId, userId: userId, at, leftLms: false });
    }
    if (added.length === 0 && ended.length === 0) return { changed: false };
    const titles = (list: { title: string }[]) => list.map((c) => c.title).sort().join(', ') || 'no communities';
    await m.insertRoleChange(tx, { platformId, courseId: null, userId, actorId, kind: 'site_tutor', from: titles(current), to: titles(chosen), at });
    return { changed: true };
  });
}

/** Stores a platform's role mapping and logs what changed; false when nothing did. */
export async function saveRoleRules(db: Db, actorId: string, platformId: string, rules: RoleRules, at: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const change = describeRuleChanges(rulesOrDefaults(await m.findRoleRules(tx, { id: platformId })), rules);
    if (!change) return false;
    await m.saveRoleRules(tx, platformId, rules);
    await m.insertRoleChange(tx, { platformId, courseId: null, userId: null, actorId, kind: 'mapping', from: change.from, to: change.to, at });
    return true;
  });
}
