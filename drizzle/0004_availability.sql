CREATE TYPE "public"."availability_exception_kind" AS ENUM('day_off', 'extra_hours');--> statement-breakpoint
CREATE TABLE "availability_exceptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"date" date NOT NULL,
	"kind" "availability_exception_kind" NOT NULL,
	"start_time" time,
	"end_time" time,
	"time_zone" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "availability_hours" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"weekday" integer NOT NULL,
	"start_time" time NOT NULL,
	"end_time" time NOT NULL,
	"time_zone" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tutor_bookings" (
	"occurrence_id" uuid NOT NULL,
	"tutor_id" uuid NOT NULL,
	"series_id" uuid NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	CONSTRAINT "tutor_bookings_occurrence_id_tutor_id_pk" PRIMARY KEY("occurrence_id","tutor_id")
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "meeting_url" text;--> statement-breakpoint
ALTER TABLE "availability_exceptions" ADD CONSTRAINT "availability_exceptions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "availability_hours" ADD CONSTRAINT "availability_hours_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tutor_bookings" ADD CONSTRAINT "tutor_bookings_occurrence_id_occurrences_id_fk" FOREIGN KEY ("occurrence_id") REFERENCES "public"."occurrences"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tutor_bookings" ADD CONSTRAINT "tutor_bookings_tutor_id_users_id_fk" FOREIGN KEY ("tutor_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "availability_exceptions_user_date_idx" ON "availability_exceptions" USING btree ("user_id","date");--> statement-breakpoint
CREATE INDEX "availability_hours_user_idx" ON "availability_hours" USING btree ("user_id","weekday");--> statement-breakpoint
CREATE INDEX "tutor_bookings_series_idx" ON "tutor_bookings" USING btree ("series_id");--> statement-breakpoint
-- Hand-written below this line: Drizzle cannot declare these constraints.
-- btree_gist lets one GiST index compare a uuid for equality beside a range for overlap.
CREATE EXTENSION IF NOT EXISTS btree_gist;--> statement-breakpoint
ALTER TABLE "tutor_bookings" ADD CONSTRAINT "tutor_bookings_no_double_booking" EXCLUDE USING gist ("tutor_id" WITH =, tstzrange("starts_at", "ends_at") WITH &&);--> statement-breakpoint
ALTER TABLE "tutor_bookings" ADD CONSTRAINT "tutor_bookings_ends_after_start" CHECK ("ends_at" > "starts_at");--> statement-breakpoint
ALTER TABLE "availability_hours" ADD CONSTRAINT "availability_hours_weekday_check" CHECK ("weekday" BETWEEN 1 AND 7);--> statement-breakpoint
ALTER TABLE "availability_hours" ADD CONSTRAINT "availability_hours_ends_after_start" CHECK ("end_time" > "start_time");--> statement-breakpoint
ALTER TABLE "availability_exceptions" ADD CONSTRAINT "availability_exceptions_shape" CHECK (("kind" = 'day_off' AND "start_time" IS NULL AND "end_time" IS NULL) OR ("kind" = 'extra_hours' AND "end_time" > "start_time"));--> statement-breakpoint
-- Sessions saved before this migration: book their tutors, earliest first. An overlap that was
-- already there stays on the calendar; only the earlier occurrence gets the booking.
INSERT INTO "tutor_bookings" ("occurrence_id", "tutor_id", "series_id", "starts_at", "ends_at")
SELECT o."id", i."user_id", o."series_id", o."starts_at", o."ends_at"
FROM "occurrences" o JOIN "series_invitees" i ON i."series_id" = o."series_id" AND i."role" = 'tutor'
WHERE o."status" <> 'cancelled'
ORDER BY o."starts_at"
ON CONFLICT DO NOTHING;
