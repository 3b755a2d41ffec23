CREATE TABLE "password_resets" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"ip" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "username_rolls" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid,
	"device_id" text,
	"room_id" uuid NOT NULL,
	"name" text NOT NULL,
	"name_lower" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usernames" (
	"name_lower" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"user_id" uuid,
	"device_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usernames_one_owner" CHECK (("usernames"."user_id" is null) <> ("usernames"."device_id" is null))
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "bio" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "avatar_key" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "status" text DEFAULT 'online' NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "hide_read_receipts" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "hide_last_seen" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "password_resets" ADD CONSTRAINT "password_resets_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "username_rolls" ADD CONSTRAINT "username_rolls_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "username_rolls" ADD CONSTRAINT "username_rolls_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "username_rolls" ADD CONSTRAINT "username_rolls_room_id_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usernames" ADD CONSTRAINT "usernames_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usernames" ADD CONSTRAINT "usernames_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "password_resets_token_key" ON "password_resets" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "password_resets_user_idx" ON "password_resets" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "username_rolls_device_idx" ON "username_rolls" USING btree ("device_id","created_at");--> statement-breakpoint
CREATE INDEX "username_rolls_user_idx" ON "username_rolls" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "username_rolls_name_idx" ON "username_rolls" USING btree ("name_lower","created_at");--> statement-breakpoint
CREATE INDEX "usernames_user_idx" ON "usernames" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "usernames_device_idx" ON "usernames" USING btree ("device_id");--> statement-breakpoint
-- Backfill: every reserved username becomes its owner's claim, then each anonymous chat name its device's (first come, first kept).
INSERT INTO "usernames" ("name_lower", "name", "user_id") SELECT "username_lower", "username", "id" FROM "users" WHERE "username_lower" IS NOT NULL ON CONFLICT DO NOTHING;--> statement-breakpoint
INSERT INTO "usernames" ("name_lower", "name", "device_id") SELECT DISTINCT ON ("username_lower") "username_lower", "username", "device_id" FROM "members" WHERE "user_id" IS NULL AND "device_id" IS NOT NULL ORDER BY "username_lower", "joined_at" ON CONFLICT DO NOTHING;
