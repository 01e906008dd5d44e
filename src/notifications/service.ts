// The notifications module as the rest of TutorKit uses it, built once by the composition root
// (src/services.ts) for one server: its links (URL, key, sender) are fixed here, not in a global.
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { findPlatformOfUser } from '../courses/service.js';
import type { Clock } from '../lib/clock.js';
import { ValidationError } from '../lib/errors.js';
import { buildFeed } from './feed.js';
import type { Links } from './links.js';
import { notifyCancelled, notifyEdited, notifySaved, snapshotSeries, type SeriesSnapshot } from './notify.js';
import { openSessionLink, takeLaunchDestination } from './open.js';
import { listDeliveries, MESSAGE_STATUSES, type MessageStatus } from './outbox.js';
import { queueDueReminders } from './reminders.js';
import { loadNotificationSettings, renewFeed, setReminders, stopFeed } from './settings.js';

const DeliveryFilter = z.object({ status: z.union([z.literal(''), z.enum(MESSAGE_STATUSES)]).optional() });
const LOG_ROWS = 200;

export function createNotificationsService({ db, clock, links }: { db: Db; clock: Clock; links: Links }) {
  return {
    /** The links emails carry (tests build the link a person received). */
    links,
    /** Emails queued inside scheduling's transactions (wired as its hooks). */
    schedulingHooks: {
      beforeChange: (tx: Db, seriesId: string) => snapshotSeries(tx, seriesId),
      added: async (tx: Db, seriesId: string, now: Date) => void (await notifySaved(tx, links, seriesId, now)),
      edited: async (tx: Db, before: SeriesSnapshot, changedSeriesId: string, now: Date) => void (await notifyEdited(tx, links, before, changedSeriesId, now)),
      cancelled: async (tx: Db, before: SeriesSnapshot, occurrenceIds: string[], now: Date) => void (await notifyCancelled(tx, links, before, occurrenceIds, now)),
    },
    queueDueReminders: (now: Date) => queueDueReminders(db, links, now),
    /** A personal calendar feed by its file name (`<secret>.ics`), or null when there is none. */
    feed: (file: string) => (file.endsWith('.ics') ? buildFeed(db, links, file.slice(0, -4), clock.now()) : Promise.resolve(null)),
    openSessionLink: (occurrenceId: string, query: Record<string, unknown>) => openSessionLink(db, links, occurrenceId, query, clock.now()),
    takeLaunchDestination: (userId: string, courseId: string) => takeLaunchDestination(db, userId, courseId, clock.now()),
    settings: (userId: string) => loadNotificationSettings(db, userId),
    setReminders: (userId: string, input: unknown) => setReminders(db, userId, input),
    renewFeed: (userId: string) => renewFeed(db, links, userId),
    stopFeed: (userId: string) => stopFeed(db, userId),
    /** The delivery log of the administrator's own platform, optionally of one status. */
    deliveryLog: async (userId: string, query: unknown) => {
      const filter = DeliveryFilter.safeParse(query);
      if (!filter.success) throw new ValidationError(`Choose a status: ${MESSAGE_STATUSES.join(', ')}.`);
      const status: MessageStatus | undefined = filter.data.status || undefined;
      const deliveries = await listDeliveries(db, { platformId: await findPlatformOfUser(db, userId), limit: LOG_ROWS, status });
      return { deliveries, status, statuses: MESSAGE_STATUSES };
    },
  };
}

export type NotificationsService = ReturnType<typeof createNotificationsService>;
