CREATE INDEX "members_notifications_muted_idx" ON "members" USING btree ("notifications_muted_until") WHERE "members"."notifications_muted_until" is not null;
