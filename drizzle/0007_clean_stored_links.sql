-- Links stored before TutorKit refused control characters may carry line breaks that a URL
-- parser ignores but a calendar file does not (issue 11: a Meeting URL could inject events).
-- Stored links lose their control characters; nothing else about them changes.
UPDATE "session_series" SET "meeting_url" = regexp_replace("meeting_url", '[\x01-\x1f\x7f]', '', 'g') WHERE "meeting_url" ~ '[\x01-\x1f\x7f]';--> statement-breakpoint
UPDATE "users" SET "meeting_url" = regexp_replace("meeting_url", '[\x01-\x1f\x7f]', '', 'g') WHERE "meeting_url" ~ '[\x01-\x1f\x7f]';--> statement-breakpoint
UPDATE "session_resources" SET "url" = regexp_replace("url", '[\x01-\x1f\x7f]', '', 'g'), "title" = regexp_replace("title", '[\x01-\x1f\x7f]', ' ', 'g') WHERE "url" ~ '[\x01-\x1f\x7f]' OR "title" ~ '[\x01-\x1f\x7f]';--> statement-breakpoint
UPDATE "session_series" SET "name" = regexp_replace("name", '[\x01-\x1f\x7f]', ' ', 'g') WHERE "name" ~ '[\x01-\x1f\x7f]';
