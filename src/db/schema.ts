// Drizzle table definitions. Column names are snake_case in SQL, camelCase in TypeScript.
// Migrations in drizzle/ are generated from this file (npm run db:generate) and committed.
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  time,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

/** An LMS registration: one (issuer, client id) pair. */
export const platforms = pgTable(
  'platforms',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    issuer: text('issuer').notNull(),
    clientId: text('client_id').notNull(),
    name: text('name').notNull(),
    authEndpoint: text('auth_endpoint').notNull(),
    tokenEndpoint: text('token_endpoint').notNull(),
    keysetUrl: text('keyset_url'),
    isDemo: boolean('is_demo').notNull().default(false),
    /** Origins the LMS pages that frame TutorKit were seen on (from launch return URLs). */
    frameOrigins: text('frame_origins')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /**
     * Which LMS roles become which TutorKit role for this platform (RoleRules in
     * src/courses/role-rules.ts); null means the defaults of ARCHITECTURE.md.
     */
    roleRules: jsonb('role_rules'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('platforms_issuer_client_id_key').on(t.issuer, t.clientId)],
);

/** The deployment ids an LMS admin created for TutorKit; launches naming any other are refused. */
export const deployments = pgTable(
  'deployments',
  {
    platformId: uuid('platform_id')
      .notNull()
      .references(() => platforms.id, { onDelete: 'cascade' }),
    deploymentId: text('deployment_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.platformId, t.deploymentId] })],
);

/** An LTI context: the product guides call it a "community". */
export const courses = pgTable(
  'courses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    platformId: uuid('platform_id')
      .notNull()
      .references(() => platforms.id, { onDelete: 'cascade' }),
    contextId: text('context_id').notNull(),
    title: text('title').notNull(),
    label: text('label'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('courses_platform_context_key').on(t.platformId, t.contextId)],
);

/** A person as one platform knows them (platform + LTI `sub`). */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    platformId: uuid('platform_id')
      .notNull()
      .references(() => platforms.id, { onDelete: 'cascade' }),
    sub: text('sub').notNull(),
    name: text('name').notNull(),
    givenName: text('given_name'),
    familyName: text('family_name'),
    email: text('email'),
    /** IANA zone name; null until the person's browser or settings tell us. */
    timeZone: text('time_zone'),
    /** The video meeting link a tutor gave in Edit settings ("Start meeting" opens it). */
    meetingUrl: text('meeting_url'),
    /** Reminder emails before each session (Edit settings can turn them off). */
    remindersEnabled: boolean('reminders_enabled').notNull().default(true),
    /** SHA-256 (hex) of the secret in the person's calendar feed URL; null when they have none. */
    feedTokenHash: text('feed_token_hash'),
    isAdmin: boolean('is_admin').notNull().default(false),
    lastLaunchAt: timestamp('last_launch_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('users_platform_sub_key').on(t.platformId, t.sub), uniqueIndex('users_feed_token_hash_key').on(t.feedTokenHash)],
);

export const roleEnum = pgEnum('tutorkit_role', ['admin', 'instructor', 'tutor', 'student']);

/**
 * Where a TutorKit role came from: the LMS roles by the default mapping (`lms`), the platform's
 * own role mapping or the custom-parameter rule (`mapping`), a designation in TutorKit's Tutors
 * page (`designated`), or a site administrator's site-tutor communities (`site`).
 */
export const roleSourceEnum = pgEnum('role_source', ['lms', 'mapping', 'designated', 'site']);

export const memberships = pgTable(
  'memberships',
  {
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The TutorKit role in this course, wherever it came from: what authorization and every list read. */
    role: roleEnum('role').notNull(),
    roleSource: roleSourceEnum('role_source').notNull().default('lms'),
    /**
     * The role the LMS gives (the last launch's roles through the platform's mapping); null when
     * the person is not an LMS member of the course (a site tutor only, or they left it).
     */
    lmsRole: roleEnum('lms_role'),
    lmsRoleSource: roleSourceEnum('lms_role_source').notNull().default('lms'),
    /** The person left the course (roster sync, the LMS's removal): no access, kept for history. */
    endedAt: timestamp('ended_at', { withTimezone: true }),
    /** The LTI role URIs of the last launch, kept for support questions ("why am I a student?"). */
    ltiRoles: text('lti_roles')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    lastLaunchAt: timestamp('last_launch_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.userId] }), index('memberships_user_idx').on(t.userId)],
);

export const designationKindEnum = pgEnum('designation_kind', ['course', 'site']);

/**
 * A person made a tutor in TutorKit, whatever the LMS says: by an instructor or administrator on a
 * course's Tutors page (`course`), or by a site administrator choosing a site tutor's communities
 * (`site`). Active while `ended_at` is null; a later launch with another LMS role does not end it.
 */
export const tutorDesignations = pgTable(
  'tutor_designations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: designationKindEnum('kind').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    endedBy: uuid('ended_by').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [
    uniqueIndex('tutor_designations_active_key').on(t.courseId, t.userId, t.kind).where(sql`${t.endedAt} is null`),
    index('tutor_designations_user_idx').on(t.userId),
  ],
);

export const roleChangeKindEnum = pgEnum('role_change_kind', ['designated', 'designation_removed', 'left_course', 'site_tutor', 'mapping', 'launch']);

/**
 * Every change of who has which role: designations made and ended, people leaving a course, site
 * tutors' communities, a platform's role mapping, and launches that changed a role. `actor_id` is
 * null when the LMS made the change (a launch, roster sync).
 */
export const roleChanges = pgTable(
  'role_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    platformId: uuid('platform_id')
      .notNull()
      .references(() => platforms.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id').references(() => courses.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    kind: roleChangeKindEnum('kind').notNull(),
    fromValue: text('from_value').notNull().default(''),
    toValue: text('to_value').notNull().default(''),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('role_changes_platform_at_idx').on(t.platformId, t.at.desc(), t.id.desc())],
);

/**
 * ltijs's own records (platform, keys, nonce, state, idtoken, ...), one row per document.
 * `key` is the document's natural key in its collection; `expires_at` replaces MongoDB's TTL indexes.
 */
export const ltiRecords = pgTable(
  'lti_records',
  {
    collection: text('collection').notNull(),
    key: text('key').notNull(),
    doc: jsonb('doc').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.collection, t.key] }),
    index('lti_records_doc_idx').using('gin', t.doc.op('jsonb_path_ops')),
    index('lti_records_expires_idx').on(t.expiresAt),
  ],
);

/** Small site-wide values (for example the demo LMS's signing key). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: updatedAt(),
});

/**
 * OIDC login states TutorKit started. A launch must present one that is unused and unexpired,
 * carry its nonce, and prove it runs in the browser that started it: by the state cookie, or
 * (when the browser blocks cookies in the LMS frame) by the platform's postMessage storage.
 */
export const ltiLaunchStates = pgTable(
  'lti_launch_states',
  {
    state: text('state').primaryKey(),
    nonce: text('nonce').notNull(),
    platformId: uuid('platform_id')
      .notNull()
      .references(() => platforms.id, { onDelete: 'cascade' }),
    /** The login initiation parameters, to run the login again in a new window. */
    loginParams: jsonb('login_params').notNull(),
    /** `lti_storage_target` from the login: where the platform keeps postMessage storage. */
    storageTarget: text('storage_target'),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    /** A verified launch waiting for the LMS window to confirm the state (platform storage). */
    pendingLaunch: jsonb('pending_launch'),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  },
  (t) => [index('lti_launch_states_expires_idx').on(t.expiresAt)],
);

// ---- Scheduling ---------------------------------------------------------------------------

export const tagCategoryEnum = pgEnum('tag_category', ['program', 'topic', 'grade_level']);

/** The site's tag catalogue (one per platform); a retired tag stays on the sessions that have it. */
export const tags = pgTable(
  'tags',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    platformId: uuid('platform_id')
      .notNull()
      .references(() => platforms.id, { onDelete: 'cascade' }),
    category: tagCategoryEnum('category').notNull(),
    name: text('name').notNull(),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('tags_platform_category_name_key').on(t.platformId, t.category, sql`lower(${t.name})`)],
);

/** The tags a tutor is expert in, used by "Find by tags". */
export const userExpertiseTags = pgTable(
  'user_expertise_tags',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tagId: uuid('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.tagId] })],
);

/**
 * A session as scheduled: one-off or recurring. Its wall-clock start and its repeat rule are
 * kept in the scheduler's IANA zone; occurrences hold the resulting instants.
 */
export const sessionSeries = pgTable(
  'session_series',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    timeZone: text('time_zone').notNull(),
    /** Local date and time of the first occurrence, in time_zone. */
    startDate: date('start_date', { mode: 'string' }).notNull(),
    startTime: time('start_time').notNull(),
    durationMinutes: integer('duration_minutes').notNull(),
    /** The form's repeat choice (RepeatRule in src/scheduling/recurrence.ts). */
    repeat: jsonb('repeat').notNull(),
    invitedOnly: boolean('invited_only').notNull().default(false),
    meetingUrl: text('meeting_url'),
    autoResources: boolean('auto_resources').notNull().default(false),
    /** Local dates (YYYY-MM-DD) the rule skips: occurrences moved to a series of their own (EXDATE). */
    excludedDates: text('excluded_dates')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** The series this one was split from ("this and following") or detached from ("this session"). */
    parentSeriesId: uuid('parent_series_id'),
    /** Raised on every change; calendar files use it as SEQUENCE. */
    sequence: integer('sequence').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('session_series_course_idx').on(t.courseId), index('session_series_created_by_idx').on(t.createdBy)],
);

export const seriesTags = pgTable(
  'series_tags',
  {
    seriesId: uuid('series_id')
      .notNull()
      .references(() => sessionSeries.id, { onDelete: 'cascade' }),
    tagId: uuid('tag_id')
      .notNull()
      .references(() => tags.id),
    courseId: uuid('course_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.seriesId, t.tagId] }), index('series_tags_tag_idx').on(t.tagId)],
);

export const resourceKindEnum = pgEnum('resource_kind', ['before', 'exit']);

/** "Resources" (shown before a session) and "Exit resources" (shown when leaving it). */
export const sessionResources = pgTable(
  'session_resources',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seriesId: uuid('series_id')
      .notNull()
      .references(() => sessionSeries.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id').notNull(),
    kind: resourceKindEnum('kind').notNull(),
    title: text('title').notNull(),
    url: text('url').notNull(),
    position: integer('position').notNull(),
  },
  (t) => [index('session_resources_series_idx').on(t.seriesId)],
);

export const inviteeRoleEnum = pgEnum('invitee_role', ['tutor', 'student']);

export const seriesInvitees = pgTable(
  'series_invitees',
  {
    seriesId: uuid('series_id')
      .notNull()
      .references(() => sessionSeries.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id').notNull(),
    role: inviteeRoleEnum('role').notNull(),
  },
  (t) => [primaryKey({ columns: [t.seriesId, t.userId] }), index('series_invitees_user_idx').on(t.userId)],
);

export const occurrenceStatusEnum = pgEnum('occurrence_status', ['scheduled', 'cancelled', 'ended']);

/** One meeting of a series; RSVPs, attendance and feedback attach here. */
export const occurrences = pgTable(
  'occurrences',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seriesId: uuid('series_id')
      .notNull()
      .references(() => sessionSeries.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    /** The start the series rule gave this occurrence (RECURRENCE-ID), kept when it is moved. */
    originalStartsAt: timestamp('original_starts_at', { withTimezone: true }).notNull(),
    status: occurrenceStatusEnum('status').notNull().default('scheduled'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('occurrences_course_starts_idx').on(t.courseId, t.startsAt),
    index('occurrences_series_starts_idx').on(t.seriesId, t.startsAt),
    // The reminder scan (every worker tick) looks for scheduled sessions starting soon, in any course.
    index('occurrences_scheduled_starts_idx').on(t.startsAt).where(sql`${t.status} = 'scheduled'`),
  ],
);

export const rsvpResponseEnum = pgEnum('rsvp_response', ['going', 'maybe', 'declined']);

export const rsvps = pgTable(
  'rsvps',
  {
    occurrenceId: uuid('occurrence_id')
      .notNull()
      .references(() => occurrences.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id').notNull(),
    response: rsvpResponseEnum('response').notNull(),
    respondedAt: timestamp('responded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.occurrenceId, t.userId] }), index('rsvps_user_idx').on(t.userId)],
);

// ---- Running a session ------------------------------------------------------------------

export const meetingEndEnum = pgEnum('meeting_end', ['tutor', 'auto']);

/**
 * An occurrence that was run: when the tutor pressed Start meeting and when it ended (End meeting,
 * or by itself at the scheduled end plus 60 minutes). No row: nobody started it.
 */
export const meetings = pgTable(
  'meetings',
  {
    occurrenceId: uuid('occurrence_id')
      .primaryKey()
      .references(() => occurrences.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id').notNull(),
    startedBy: uuid('started_by')
      .notNull()
      .references(() => users.id),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    endedBy: meetingEndEnum('ended_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('meetings_course_started_idx').on(t.courseId, t.startedAt), index('meetings_open_idx').on(t.startedAt).where(sql`${t.endedAt} is null`)],
);

/**
 * Who came to an occurrence's Warmup room or meeting: first join and last leave. `last_seen_at`
 * is the latest sign of life of an open room page (its stream); a person whose page went quiet
 * has left at their last sign of life.
 */
export const attendance = pgTable(
  'attendance',
  {
    occurrenceId: uuid('occurrence_id')
      .notNull()
      .references(() => occurrences.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id').notNull(),
    role: inviteeRoleEnum('role').notNull(),
    firstJoinedAt: timestamp('first_joined_at', { withTimezone: true }).notNull(),
    lastLeftAt: timestamp('last_left_at', { withTimezone: true }),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.occurrenceId, t.userId] }), index('attendance_user_idx').on(t.userId), index('attendance_course_idx').on(t.courseId)],
);

/** The room's chat, kept as the session's transcript. */
export const chatMessages = pgTable(
  'chat_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    occurrenceId: uuid('occurrence_id')
      .notNull()
      .references(() => occurrences.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id').notNull(),
    authorId: uuid('author_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The author's TutorKit role in the course when they wrote it (the transcript shows it). */
    authorRole: roleEnum('author_role').notNull(),
    body: text('body').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('chat_messages_occurrence_idx').on(t.occurrenceId, t.id), check('chat_messages_body_length', sql`char_length(${t.body}) between 1 and 2000`)],
);

export const prerequisiteEnum = pgEnum('prerequisite_knowledge', ['adequate', 'low']);
export const masteryEnum = pgEnum('content_mastery', ['demonstrated', 'not_demonstrated']);

/**
 * The tutor's feedback on one student who attended: "Feedback for the student" (the student sees
 * it), "Private feedback" (tutors and administrators only), and the diagnosis Early Alerts read.
 * Saved as a draft until the tutor finishes it.
 */
export const meetingFeedback = pgTable(
  'meeting_feedback',
  {
    occurrenceId: uuid('occurrence_id')
      .notNull()
      .references(() => occurrences.id, { onDelete: 'cascade' }),
    studentId: uuid('student_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id').notNull(),
    authorId: uuid('author_id')
      .notNull()
      .references(() => users.id),
    forStudent: text('for_student').notNull().default(''),
    private: text('private').notNull().default(''),
    prerequisite: prerequisiteEnum('prerequisite'),
    mastery: masteryEnum('mastery'),
    topicTagId: uuid('topic_tag_id').references(() => tags.id),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.occurrenceId, t.studentId] }), index('meeting_feedback_student_idx').on(t.studentId), index('meeting_feedback_course_idx').on(t.courseId)],
);

/** A student's rating of an occurrence they attended: 1 to 5 and an optional comment. */
export const ratings = pgTable(
  'ratings',
  {
    occurrenceId: uuid('occurrence_id')
      .notNull()
      .references(() => occurrences.id, { onDelete: 'cascade' }),
    studentId: uuid('student_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id').notNull(),
    stars: smallint('stars').notNull(),
    comment: text('comment').notNull().default(''),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.occurrenceId, t.studentId] }), index('ratings_course_idx').on(t.courseId), check('ratings_stars_range', sql`${t.stars} between 1 and 5`)],
);

// ---- Availability ---------------------------------------------------------------------------

/**
 * Weekly availability: the hours a person can take part, per ISO weekday (1 = Monday), as local
 * times in their IANA zone. An end of 24:00 means midnight at the end of the day. A person with
 * no weekly hours has not set availability up and counts as available at any time.
 */
export const availabilityHours = pgTable(
  'availability_hours',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    weekday: integer('weekday').notNull(),
    startTime: time('start_time').notNull(),
    endTime: time('end_time').notNull(),
    timeZone: text('time_zone').notNull(),
  },
  (t) => [index('availability_hours_user_idx').on(t.userId, t.weekday)],
);

export const availabilityExceptionKindEnum = pgEnum('availability_exception_kind', ['day_off', 'extra_hours']);

/** One date that differs from the weekly hours: a day off, or extra hours (local times in time_zone). */
export const availabilityExceptions = pgTable(
  'availability_exceptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    date: date('date', { mode: 'string' }).notNull(),
    kind: availabilityExceptionKindEnum('kind').notNull(),
    /** Set for extra hours; null for a whole day off. */
    startTime: time('start_time'),
    endTime: time('end_time'),
    timeZone: text('time_zone').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('availability_exceptions_user_date_idx').on(t.userId, t.date)],
);

/**
 * Which tutor runs which occurrence when, kept in step with occurrences and series_invitees by
 * src/scheduling/bookings.ts. An exclusion constraint (added in the migration, since Drizzle
 * cannot declare one) refuses two overlapping rows for one tutor: the database, not the
 * application, guarantees that no tutor is ever double-booked, also when two saves race.
 */
export const tutorBookings = pgTable(
  'tutor_bookings',
  {
    occurrenceId: uuid('occurrence_id')
      .notNull()
      .references(() => occurrences.id, { onDelete: 'cascade' }),
    tutorId: uuid('tutor_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    seriesId: uuid('series_id').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.occurrenceId, t.tutorId] }), index('tutor_bookings_series_idx').on(t.seriesId)],
);

// ---- Notifications --------------------------------------------------------------------------

export const messageKindEnum = pgEnum('message_kind', ['invitation', 'update', 'cancellation', 'reminder', 'alert', 'alert_digest']);
export const messageStatusEnum = pgEnum('message_status', ['queued', 'sending', 'sent', 'failed', 'skipped']);

/**
 * The durable email queue: a message is written in the same transaction as the change it
 * reports, then delivered by the worker (src/notifications/worker.ts) with retries. `dedupe_key`
 * names the reason for the message (for example one person, one series, one change), so a
 * retried request or a second reminder scan never queues it twice.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    dedupeKey: text('dedupe_key').notNull(),
    kind: messageKindEnum('kind').notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    /** Null when the person has no email address in the LMS (status 'skipped'). */
    toAddress: text('to_address'),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html').notNull(),
    /** An RFC 5545 calendar (METHOD:REQUEST or CANCEL) attached as invite.ics. */
    ics: text('ics'),
    courseId: uuid('course_id'),
    seriesId: uuid('series_id'),
    occurrenceId: uuid('occurrence_id'),
    status: messageStatusEnum('status').notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    /** A worker holds the message until then; after a crash another may take it. */
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastError: text('last_error'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('outbox_dedupe_key').on(t.dedupeKey),
    index('outbox_due_idx').on(t.status, t.nextAttemptAt),
    index('outbox_series_idx').on(t.seriesId),
  ],
);

/**
 * Where a person's next launch lands instead of their home: the session whose email link they
 * opened while not signed in. One per person, short-lived, used once (src/notifications/open.ts).
 */
export const pendingDestinations = pgTable('pending_destinations', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  courseId: uuid('course_id')
    .notNull()
    .references(() => courses.id, { onDelete: 'cascade' }),
  occurrenceId: uuid('occurrence_id')
    .notNull()
    .references(() => occurrences.id, { onDelete: 'cascade' }),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  createdAt: createdAt(),
});

// ---- Early Alerts (client portal) -----------------------------------------------------------

export const alertKindEnum = pgEnum('alert_kind', ['low_prerequisite', 'low_mastery', 'long_session', 'frequent_subject']);
export const alertStatusEnum = pgEnum('alert_status', ['open', 'acknowledged', 'resolved']);
export const alertDeliveryEnum = pgEnum('alert_delivery', ['off', 'instant', 'digest']);

/**
 * An Early Alert about one student of one course, raised when a session's feedback is saved or the
 * session ends (src/alerts). `dedupe_key` names what it is about (kind, student and occurrence; for
 * a frequent subject request kind, student, topic and window), so raising it twice keeps one row.
 * `facts` holds the numbers its explanation is built from (minutes, averages, counts, dates).
 */
export const alerts = pgTable(
  'alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    studentId: uuid('student_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: alertKindEnum('kind').notNull(),
    /** The session that raised it (for a frequent subject request, the one that reached the count). */
    occurrenceId: uuid('occurrence_id').references(() => occurrences.id, { onDelete: 'cascade' }),
    topicTagId: uuid('topic_tag_id').references(() => tags.id),
    /** Frequent subject request: the first instant of the 7-day window. */
    windowStart: timestamp('window_start', { withTimezone: true }),
    facts: jsonb('facts').notNull().default({}),
    dedupeKey: text('dedupe_key').notNull(),
    status: alertStatusEnum('status').notNull().default('open'),
    raisedAt: timestamp('raised_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('alerts_dedupe_idx').on(t.dedupeKey),
    index('alerts_course_raised_idx').on(t.courseId, t.raisedAt),
    index('alerts_student_idx').on(t.studentId),
    index('alerts_occurrence_idx').on(t.occurrenceId),
  ],
);

/** The audit trail of an alert: who acknowledged, resolved or reopened it, when, with which note. */
export const alertEvents = pgTable(
  'alert_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    alertId: uuid('alert_id')
      .notNull()
      .references(() => alerts.id, { onDelete: 'cascade' }),
    actorId: uuid('actor_id')
      .notNull()
      .references(() => users.id),
    status: alertStatusEnum('status').notNull(),
    note: text('note').notNull().default(''),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('alert_events_alert_idx').on(t.alertId)],
);

/**
 * How a person receives Early Alerts by email, per kind: off, at once, or in a daily digest. A
 * person with no row has not answered the portal's first-visit question yet.
 */
export const alertPreferences = pgTable(
  'alert_preferences',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: alertKindEnum('kind').notNull(),
    delivery: alertDeliveryEnum('delivery').notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind] })],
);

/** Which alert went to whom, and how: an instructor never receives the same alert twice. */
export const alertDeliveries = pgTable(
  'alert_deliveries',
  {
    alertId: uuid('alert_id')
      .notNull()
      .references(() => alerts.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    delivery: alertDeliveryEnum('delivery').notNull(),
    /** Digest: null until the day's digest took it. */
    queuedAt: timestamp('queued_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.alertId, t.userId] }), index('alert_deliveries_pending_idx').on(t.userId, t.queuedAt)],
);
