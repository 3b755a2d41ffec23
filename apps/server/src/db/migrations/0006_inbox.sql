ALTER TABLE "members" ADD COLUMN "notifications_muted_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "pinned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "marked_unread_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "rooms" ADD COLUMN "last_message_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "rooms" ADD COLUMN "direct_key" text;--> statement-breakpoint
ALTER TABLE "rooms" ADD COLUMN "avatar_key" text;--> statement-breakpoint
CREATE INDEX "messages_member_idx" ON "messages" USING btree ("member_id");--> statement-breakpoint
CREATE UNIQUE INDEX "rooms_direct_key" ON "rooms" USING btree ("direct_key") WHERE "rooms"."kind" = 'direct';--> statement-breakpoint
CREATE INDEX "users_username_prefix_idx" ON "users" USING btree ("username_lower" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "users_display_name_prefix_idx" ON "users" USING btree (lower("display_name") text_pattern_ops);