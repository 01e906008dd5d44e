// A person's own settings ("Edit settings", the account page): time zone and availability
// (src/availability), meeting URL and expertise tags for those who tutor (src/tags), reminders and
// the calendar feed (src/notifications). This module gathers them for the page and hands each
// action to the module that owns it.
import type { Db } from '../db/client.js';
import { TUTORING_ROLES, type Viewer } from '../courses/service.js';
import { ForbiddenError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import { parseCommand } from '../lib/forms.js';
import { ZONES } from '../lib/time.js';
import { addException, changeTimeZone, editWeek, loadSettings, removeException, saveWeeklyHours, setMeetingUrl } from '../availability/settings.js';
import type { NotificationsService } from '../notifications/service.js';
import { describeExpertise, findPlatformOfUser, setExpertise } from '../tags/service.js';
import { ExpertiseForm } from '../tags/schemas.js';

/** Instructors may also tutor, so they choose expertise tags and a meeting URL too; students and site administrators do not. */
export function tutors(viewer: Pick<Viewer, 'role'>): boolean {
  return TUTORING_ROLES.includes(viewer.role);
}

export function createAccountService({ db, clock, notifications }: { db: Db; clock: Clock; notifications: NotificationsService }) {
  const tutoring = (viewer: Viewer) => {
    if (!tutors(viewer)) throw new ForbiddenError('Meeting URLs and expertise tags are for people who tutor.');
  };
  return {
    /** Everything the settings page shows (the expertise part only for those who tutor). */
    page: async (viewer: Viewer, chosenExpertise?: string[]) => {
      const [settings, notificationSettings, expertise] = await Promise.all([
        loadSettings(db, viewer.userId, clock.now()),
        notifications.settings(viewer.userId),
        tutors(viewer) ? describeExpertise(db, viewer.userId, await findPlatformOfUser(db, viewer.userId), chosenExpertise) : Promise.resolve(null),
      ]);
      // A zone V8 does not list (an alias the person chose earlier) stays selectable.
      const zones = settings.zone && !ZONES.includes(settings.zone) ? [settings.zone, ...ZONES] : ZONES;
      return { settings: { ...settings, notifications: notificationSettings }, zones, expertise, tutors: tutors(viewer) };
    },
    /** Only the expertise part (its fragment). */
    expertise: async (viewer: Viewer, chosen?: string[]) => {
      tutoring(viewer);
      return describeExpertise(db, viewer.userId, await findPlatformOfUser(db, viewer.userId), chosen);
    },
    changeTimeZone: (viewer: Viewer, input: unknown) => changeTimeZone(db, viewer.userId, input),
    /** Add hours, Remove, Copy Monday to weekdays: the typed week changed, not saved; null for a save. */
    editWeek: (input: unknown) => editWeek(input),
    saveWeeklyHours: (viewer: Viewer, input: unknown) => saveWeeklyHours(db, viewer.userId, input),
    addException: (viewer: Viewer, input: unknown) => addException(db, viewer.userId, input, clock.now()),
    removeException: (viewer: Viewer, exceptionId: string) => removeException(db, viewer.userId, exceptionId),
    setMeetingUrl: (viewer: Viewer, input: unknown) => {
      tutoring(viewer);
      return setMeetingUrl(db, viewer.userId, input);
    },
    setReminders: (viewer: Viewer, input: unknown) => notifications.setReminders(viewer.userId, input),
    renewFeed: (viewer: Viewer) => notifications.renewFeed(viewer.userId),
    stopFeed: (viewer: Viewer) => notifications.stopFeed(viewer.userId),
    setExpertise: async (viewer: Viewer, input: unknown) => {
      tutoring(viewer);
      const { tagIds } = parseCommand(ExpertiseForm, input);
      const saved = await setExpertise(db, viewer.userId, await findPlatformOfUser(db, viewer.userId), tagIds);
      return { notice: saved.length === 0 ? 'Saved: you have no expertise tags.' : `Saved your ${saved.length} expertise ${saved.length === 1 ? 'tag' : 'tags'}.` };
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
