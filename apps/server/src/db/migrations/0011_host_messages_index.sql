CREATE INDEX "messages_host_idx" ON "messages" USING btree ("room_id","seq") WHERE "messages"."type" = 'host';
