CREATE INDEX "rsvps_user_idx" ON "rsvps" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "session_series_created_by_idx" ON "session_series" USING btree ("created_by");