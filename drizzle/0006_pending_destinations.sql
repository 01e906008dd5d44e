CREATE TABLE "pending_destinations" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"course_id" uuid NOT NULL,
	"occurrence_id" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pending_destinations" ADD CONSTRAINT "pending_destinations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pending_destinations" ADD CONSTRAINT "pending_destinations_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pending_destinations" ADD CONSTRAINT "pending_destinations_occurrence_id_occurrences_id_fk" FOREIGN KEY ("occurrence_id") REFERENCES "public"."occurrences"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "occurrences_scheduled_starts_idx" ON "occurrences" USING btree ("starts_at") WHERE "occurrences"."status" = 'scheduled';