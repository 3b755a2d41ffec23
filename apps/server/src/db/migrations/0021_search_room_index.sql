CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
CREATE INDEX "messages_room_search_idx" ON "messages" USING gin ((room_id::text),"search");--> statement-breakpoint
DROP INDEX "messages_search_idx";
