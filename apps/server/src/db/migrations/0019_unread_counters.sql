ALTER TABLE "members" ADD COLUMN "unread_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "mention_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE "members" m SET
	"unread_count" = (
		select count(*)::int from messages x
		where x.room_id = m.room_id and x.seq > m.last_read_seq
			and x.member_id is distinct from m.id and x.type <> 'system' and x.deleted_at is null
			and not exists (select 1 from message_hides h where h.member_id = m.id and h.seq = x.seq)
	),
	"mention_count" = (
		select count(*)::int from message_mentions mm where mm.member_id = m.id and mm.seq > m.last_read_seq
	)
FROM "rooms" r
WHERE r.id = m.room_id AND r.kind IN ('direct', 'group') AND r.last_seq > m.last_read_seq;
--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "sent_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE "members" m SET "sent_count" = (select count(*)::int from messages x where x.room_id = m.room_id and x.member_id = m.id and x.type <> 'system')
FROM "rooms" r
WHERE r.id = m.room_id AND r.kind IN ('direct', 'group');
