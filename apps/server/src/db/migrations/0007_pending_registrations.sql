ALTER TABLE "users" ADD COLUMN "registered_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "registration_id" uuid DEFAULT gen_random_uuid() NOT NULL;--> statement-breakpoint
-- An account's registration started when it was created; links mailed before this migration name no registration and stop working.
UPDATE "users" SET "registered_at" = "created_at";--> statement-breakpoint
CREATE INDEX "users_unconfirmed_idx" ON "users" USING btree ("registered_at") WHERE "users"."email_confirmed_at" is null;
