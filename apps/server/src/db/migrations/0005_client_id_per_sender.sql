DROP INDEX "messages_room_client_key";--> statement-breakpoint
CREATE UNIQUE INDEX "messages_room_member_client_key" ON "messages" USING btree ("room_id","member_id","client_id") WHERE "messages"."member_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "messages_room_memberless_client_key" ON "messages" USING btree ("room_id","client_id") WHERE "messages"."member_id" is null;