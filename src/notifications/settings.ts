// "Notifications" in Edit settings: reminder emails on or off, and the personal calendar feed.
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { parseCommand } from '../lib/forms.js';
import { createFeedLink, turnOffFeed } from './feed.js';
import type { Links } from './links.js';
import * as q from './queries.js';

export interface NotificationSettings {
  remindersEnabled: boolean;
  hasFeed: boolean;
}

export const RemindersForm = z.object({ remindersEnabled: z.enum(['on']).optional() });

export async function loadNotificationSettings(db: Db, userId: string): Promise<NotificationSettings> {
  const row = await q.findNotificationSettings(db, userId);
  return { remindersEnabled: row?.remindersEnabled ?? true, hasFeed: !!row?.feedTokenHash };
}

export async function setReminders(db: Db, userId: string, input: unknown): Promise<{ notice: string }> {
  const { remindersEnabled } = parseCommand(RemindersForm, input);
  await q.setRemindersEnabled(db, userId, remindersEnabled === 'on');
  return { notice: remindersEnabled === 'on' ? 'Reminders are on: we email you 24 hours and 15 minutes before your sessions.' : 'Reminders are off.' };
}

/** A new feed URL (the old one stops working), to show once. */
export async function renewFeed(db: Db, links: Links, userId: string): Promise<{ notice: string; feedUrl: string }> {
  const { hasFeed: hadFeed } = await loadNotificationSettings(db, userId);
  const feedUrl = await createFeedLink(db, links, userId);
  return { feedUrl, notice: hadFeed ? 'Created a new calendar link. The old link no longer works.' : 'Created your calendar link.' };
}

export async function stopFeed(db: Db, userId: string): Promise<{ notice: string }> {
  await turnOffFeed(db, userId);
  return { notice: 'Turned off your calendar feed. Calendars subscribed to it stop getting your sessions.' };
}
