CREATE TYPE "public"."designation_kind" AS ENUM('course', 'site');--> statement-breakpoint
CREATE TYPE "public"."role_change_kind" AS ENUM('designated', 'designation_removed', 'left_course', 'site_tutor', 'mapping', 'launch');--> statement-breakpoint
CREATE TYPE "public"."role_source" AS ENUM('lms', 'mapping', 'designated', 'site');--> statement-breakpoint
CREATE TABLE "role_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"platform_id" uuid NOT NULL,
	"course_id" uuid,
	"user_id" uuid,
	"actor_id" uuid,
	"kind" "role_change_kind" NOT NULL,
	"from_value" text DEFAULT '' NOT NULL,
	"to_value" text DEFAULT '' NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tutor_designations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"course_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" "designation_kind" NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"ended_by" uuid
);
--> statement-breakpoint
ALTER TABLE "memberships" ADD COLUMN "role_source" "role_source" DEFAULT 'lms' NOT NULL;--> statement-breakpoint
ALTER TABLE "memberships" ADD COLUMN "lms_role" "tutorkit_role";--> statement-breakpoint
ALTER TABLE "memberships" ADD COLUMN "lms_role_source" "role_source" DEFAULT 'lms' NOT NULL;--> statement-breakpoint
ALTER TABLE "memberships" ADD COLUMN "ended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "platforms" ADD COLUMN "role_rules" jsonb;--> statement-breakpoint
ALTER TABLE "role_changes" ADD CONSTRAINT "role_changes_platform_id_platforms_id_fk" FOREIGN KEY ("platform_id") REFERENCES "public"."platforms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "role_changes" ADD CONSTRAINT "role_changes_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "role_changes" ADD CONSTRAINT "role_changes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "role_changes" ADD CONSTRAINT "role_changes_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tutor_designations" ADD CONSTRAINT "tutor_designations_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tutor_designations" ADD CONSTRAINT "tutor_designations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tutor_designations" ADD CONSTRAINT "tutor_designations_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tutor_designations" ADD CONSTRAINT "tutor_designations_ended_by_users_id_fk" FOREIGN KEY ("ended_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "role_changes_platform_at_idx" ON "role_changes" USING btree ("platform_id","at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "tutor_designations_active_key" ON "tutor_designations" USING btree ("course_id","user_id","kind") WHERE "tutor_designations"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "tutor_designations_user_idx" ON "tutor_designations" USING btree ("user_id");--> statement-breakpoint
-- Every membership so far came from a launch: its role is the LMS's.
UPDATE "memberships" SET "lms_role" = "role";
