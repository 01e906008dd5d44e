// The composition root: every service TutorKit's routes use, built once from the configuration,
// the database and the clock. Routers receive these, never the database; the hooks between
// modules (a saved session queues its emails in the same transaction) are wired here, so no
// module imports the one that reacts to it.
import type { Config } from './config.js';
import { defaultMailFrom } from './config.js';
import type { Db } from './db/client.js';
import { createAccountService } from './account/service.js';
import { createPeopleService } from './courses/people.js';
import { createCoursesService } from './courses/service.js';
import type { Clock } from './lib/clock.js';
import { createBus, type LiveBus } from './live/bus.js';
import { createRoomService } from './meetings/room.js';
import { createWrapupService } from './meetings/wrapup.js';
import { createDashboardService } from './meetings/dashboard-service.js';
import { createLinks } from './notifications/links.js';
import { createNotificationsService } from './notifications/service.js';
import { createSchedulingService } from './scheduling/service.js';
import { createTagsService } from './tags/service.js';

export interface ServiceDeps {
  config: Pick<Config, 'baseUrl' | 'ltiKey' | 'mailFrom'>;
  db: Db;
  clock: Clock;
  /** The live layer: the bus between instances (in memory unless given) and where its troubles are told. */
  live?: { bus: LiveBus; warn?: (message: string, err?: unknown) => void };
}

export function createServices({ config, db, clock, live = { bus: createBus() } }: ServiceDeps) {
  const links = createLinks({ baseUrl: config.baseUrl, key: config.ltiKey, from: config.mailFrom ?? defaultMailFrom(config.baseUrl) });
  const notifications = createNotificationsService({ db, clock, links });
  const courses = createCoursesService({ db, clock });
  const rooms = createRoomService({ db, clock, bus: live.bus, warn: live.warn });
  return {
    courses,
    // A changed role mapping is read again by the launch of this instance at once (the cache forgets it).
    people: createPeopleService({ db, clock, onRulesChanged: courses.forgetRoleRules }),
    tags: createTagsService({ db, clock }),
    scheduling: createSchedulingService({ db, clock, hooks: notifications.schedulingHooks }),
    account: createAccountService({ db, clock, notifications }),
    notifications,
    rooms,
    // The end of a session: its room's stream tells everyone there that the meeting ended.
    wrapup: createWrapupService({ db, clock, hooks: { meetingEnded: (occurrenceId) => rooms.publish(occurrenceId, { kind: 'ended' }) } }),
    meetings: createDashboardService({ db, clock }),
  };
}

export type Services = ReturnType<typeof createServices>;
