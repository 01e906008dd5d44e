// The pages that decide who tutors: a course's Tutors page (its instructors, and the site's
// administrators for every community of their site), and the site administrators' Communities,
// Site tutors, Role mapping and Role changes pages. Each method is one page's or one action's work.
import { z } from 'zod';
import type { Db } from '../db/client.js';
import type { Clock } from '../lib/clock.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../lib/errors.js';
import { fieldList, parseCommand, withoutControls } from '../lib/forms.js';
import { ltiRoleLabel } from '../lib/lti-roles.js';
import { loadPage, PageNumber } from '../lib/paging.js';
import * as m from './membership-queries.js';
import { designateTutor, removeTutorDesignation, saveRoleRules, setSiteTutorCommunities, type RoleChangeOutcome } from './memberships.js';
import * as pq from './people-queries.js';
import { COURSE_TARGETS, CONTEXT_ROLE_NAMES, INSTITUTION_ROLE_NAMES, INSTITUTION_TARGETS, RoleRulesForm, rulesOrDefaults, ruleField } from './role-rules.js';

const PEOPLE_PER_PAGE = 25;
const CHANGES_PER_PAGE = 50;

/** The person asking; what they may do is looked up, never taken from the request. */
export interface PeopleActor {
  userId: string;
}

const ListQuery = z.object({
  q: z
    .string()
    .catch('')
    .transform((v) => withoutControls(v).slice(0, 100)),
  page: PageNumber,
  show: z.enum(['all', 'tutors']).catch('all'),
});

/** A member as the Tutors page shows them, with what the asker may do to them. */
export interface PersonView extends pq.PersonRow {
  /** The LMS roles of their last launch, in words ("Instructor", "Student (institution)"). */
  lmsRoleLabels: string[];
  canMake: boolean;
  canRemove: boolean;
}

function personView(row: pq.PersonRow, actorId: string): PersonView {
  return {
    ...row,
    lmsRoleLabels: row.ltiRoles.map(ltiRoleLabel),
    canMake: row.userId !== actorId && (row.role === 'student' || row.role === 'instructor'),
    canRemove: row.designations.includes('course'),
  };
}

const ROLE_WORDS: Record<string, string> = { instructor: 'an instructor', tutor: 'a tutor', student: 'a student', admin: 'an administrator' };

function notice(name: string, course: string, action: 'make' | 'remove', outcome: RoleChangeOutcome): string {
  if (action === 'make') return outcome.changed ? `${name} is now a tutor of ${course}. The next time they open TutorKit from the course, they open it as a tutor.` : `${name} is already a tutor of ${course}.`;
  if (!outcome.changed) return `${name} was not made a tutor on this page: nothing to take back.`;
  return outcome.to === 'tutor' ? `${name} is no longer a tutor by this page, but stays a tutor of ${course} (a site tutor, or by their LMS role).` : `${name} is no longer a tutor of ${course}: they are ${ROLE_WORDS[outcome.to] ?? outcome.to} again, as in the LMS.`;
}

const UserId = z.uuid();

export function createPeopleService({ db, clock, onRulesChanged }: { db: Db; clock: Clock; onRulesChanged: () => void }) {
  /** The course, when the actor manages its tutors: its instructor (or administrator), or an administrator of its site. */
  const managedCourse = async (actor: PeopleActor, courseId: string) => {
    const access = UserId.safeParse(courseId).success ? await pq.findCourseAccess(db, actor.userId, courseId) : undefined;
    if (!access?.coursePlatformId || access.coursePlatformId !== access.userPlatformId) throw new NotFoundError('There is no such community on your site.');
    if (!(access.isAdmin || access.role === 'instructor' || access.role === 'admin')) throw new ForbiddenError();
    return { id: courseId, title: access.courseTitle!, platformId: access.coursePlatformId };
  };
  /** The actor's site, when they administer it. */
  const adminSite = async (actor: PeopleActor): Promise<string> => {
    const person = await m.findPerson(db, actor.userId);
    if (!person?.isAdmin) throw new ForbiddenError('Site settings are for TutorKit administrators.');
    return person.platformId;
  };
  const changeTutor = async (actor: PeopleActor, courseId: string, userId: string, action: 'make' | 'remove') => {
    const course = await managedCourse(actor, courseId);
    if (!UserId.safeParse(userId).success) throw new NotFoundError('This person is not a member of this course.');
    const change = action === 'make' ? designateTutor : removeTutorDesignation;
    const outcome = await change(db, actor.userId, course.platformId, course.id, userId, clock.now());
    const row = await pq.findCoursePerson(db, course.id, userId);
    if (!row) throw new NotFoundError('This person is not a member of this course.');
    return { course, person: personView(row, actor.userId), notice: notice(row.name, course.title, action, outcome) };
  };
  const siteTutorForm = async (platformId: string, userId: string) => {
    const person = UserId.safeParse(userId).success ? await pq.findSiteTutor(db, platformId, userId) : undefined;
    if (!person) throw new NotFoundError('This person is not a tutor on your site.');
    const [all, current] = await Promise.all([pq.listAllSiteCourses(db, platformId), m.listSiteDesignations(db, userId)]);
    return { person, communities: all.map((c) => ({ ...c, checked: current.some((x) => x.courseId === c.courseId) })) };
  };
  const roleMapping = async (platformId: string) => ({
    rules: rulesOrDefaults(await m.findRoleRules(db, { id: platformId })),
    contextNames: CONTEXT_ROLE_NAMES,
    institutionNames: INSTITUTION_ROLE_NAMES,
    courseTargets: COURSE_TARGETS,
    institutionTargets: INSTITUTION_TARGETS,
    fieldOf: ruleField,
  });

  return {
    tutorsPage: async (actor: PeopleActor, courseId: string, query: unknown) => {
      const course = await managedCourse(actor, courseId);
      const { q, page, show } = ListQuery.parse(query ?? {});
      const { rows, paging } = await loadPage(page, PEOPLE_PER_PAGE, (w) => pq.listCoursePeople(db, course.id, { search: q, tutorsOnly: show === 'tutors' }, w));
      return { course, people: rows.map((r) => personView(r, actor.userId)), paging, q, show };
    },
    makeTutor: (actor: PeopleActor, courseId: string, userId: string) => changeTutor(actor, courseId, userId, 'make'),
    removeTutor: (actor: PeopleActor, courseId: string, userId: string) => changeTutor(actor, courseId, userId, 'remove'),

    communitiesPage: async (actor: PeopleActor, query: unknown) => {
      const platformId = await adminSite(actor);
      const { q, page } = ListQuery.parse(query ?? {});
      return { ...(await loadPage(page, PEOPLE_PER_PAGE, (w) => pq.listSiteCourses(db, platformId, q, w))), q };
    },
    siteTutorsPage: async (actor: PeopleActor, query: unknown) => {
      const platformId = await adminSite(actor);
      const { q, page } = ListQuery.parse(query ?? {});
      return { ...(await loadPage(page, PEOPLE_PER_PAGE, (w) => pq.listSiteTutors(db, platformId, q, w))), q };
    },
    siteTutorForm: async (actor: PeopleActor, userId: string) => siteTutorForm(await adminSite(actor), userId),
    /** Saves a site tutor's communities: exactly the ticked communities of the site. */
    saveSiteTutor: async (actor: PeopleActor, userId: string, body: unknown) => {
      const platformId = await adminSite(actor);
      const form = await siteTutorForm(platformId, userId);
      const { courseIds } = parseCommand(z.object({ courseIds: fieldList('Communities', { max: 36, count: 10_000 }) }), body);
      const chosen = form.communities.filter((c) => courseIds.includes(c.courseId));
      if (chosen.length !== new Set(courseIds).size) throw new ValidationError('Choose communities of your site.', { courseIds: 'Choose communities from the list' });
      const { changed } = await setSiteTutorCommunities(db, { actorId: actor.userId, platformId, userId, chosen: chosen.map((c) => ({ id: c.courseId, title: c.title })), at: clock.now() });
      const saved = await siteTutorForm(platformId, userId);
      const count = chosen.length;
      const message = count === 0 ? `${saved.person.name} is no longer a site tutor of any community.` : `${saved.person.name} is a site tutor of ${count === 1 ? chosen[0]!.title : `${count} communities`}.`;
      return { ...saved, notice: changed ? message : 'Nothing changed.' };
    },

    roleMappingPage: async (actor: PeopleActor) => roleMapping(await adminSite(actor)),
    saveRoleMapping: async (actor: PeopleActor, body: unknown) => {
      const platformId = await adminSite(actor);
      const rules = parseCommand(RoleRulesForm, body);
      const changed = await saveRoleRules(db, actor.userId, platformId, rules, clock.now());
      if (changed) onRulesChanged();
      return { ...(await roleMapping(platformId)), notice: changed ? 'Role mapping saved. It applies from each person’s next launch.' : 'Nothing changed.' };
    },

    roleChangesPage: async (actor: PeopleActor, query: unknown) => {
      const platformId = await adminSite(actor);
      const { page } = ListQuery.parse(query ?? {});
      return loadPage(page, CHANGES_PER_PAGE, (w) => pq.listRoleChanges(db, platformId, w));
    },
  };
}

export type PeopleService = ReturnType<typeof createPeopleService>;
