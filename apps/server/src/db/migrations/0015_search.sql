CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "has_link" boolean GENERATED ALWAYS AS (content ~* '(https?://|www\.)[^[:space:]]') STORED;--> statement-breakpoint
CREATE INDEX "messages_created_idx" ON "messages" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "messages_link_idx" ON "messages" USING btree ("room_id","created_at") WHERE "messages"."has_link";--> statement-breakpoint
CREATE INDEX "users_username_trgm_idx" ON "users" USING gin ("username_lower" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "users_display_name_trgm_idx" ON "users" USING gin (lower("display_name") gin_trgm_ops);
