'use client';

import type { Attachment, Message } from '@chatpop/protocol';
import { useState } from 'react';
import { cn } from '@/lib/utils';
import { useMedia } from './media-context';
import { GAP_PX, TILE_PX, albumBox } from './album-box';
import { placeholderUrl } from './placeholder';

function Photo({ attachment, url, className, style }: { attachment: Attachment; url: string | null; className?: string; style?: React.CSSProperties }) {
  const [loaded, setLoaded] = useState(false);
  const placeholder = placeholderUrl(attachment.placeholder);
  return (
    <span
      className={cn('relative block overflow-hidden bg-black/10 bg-cover bg-center dark:bg-white/10', className)}
      style={{ ...style, backgroundImage: placeholder ? `url(${placeholder})` : undefined }}
      data-testid="photo"
      data-loaded={loaded || undefined}
    >
      {url && (
        <img
          src={url}
          alt=""
          width={attachment.width}
          height={attachment.height}
          decoding="async"
          loading="lazy"
          draggable={false}
          onLoad={() => setLoaded(true)}
          className={cn('size-full object-cover transition-opacity duration-200', loaded ? 'opacity-100' : 'opacity-0')}
        />
      )}
    </span>
  );
}

/** A message's photos inline: one at its proportions, or an album grid; each opens the viewer. */
export function PhotoAlbum({ message }: { message: Message }) {
  const media = useMedia();
  const attachments = message.attachments ?? [];
  if (!media || attachments.length === 0) return null;
  const box = albumBox(attachments);
  const author = message.username ?? 'someone';
  const single = attachments.length === 1;
  return (
    <div
      className={cn('-mx-1.5 mb-1 overflow-hidden rounded-xl', single ? 'block' : 'grid grid-cols-2')}
      style={{ width: box.width, height: box.height, gap: single ? undefined : GAP_PX, maxWidth: 'calc(100% + 0.75rem)' }}
      data-testid="photo-album"
      role="group"
      aria-label={single ? `Photo from ${author}` : `${attachments.length} photos from ${author}`}
    >
      {attachments.map((a, i) => (
        <button
          key={a.id}
          type="button"
          onClick={(e) => media.open(message, i, e.currentTarget)}
          className="block outline-none focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-inset"
          style={single ? { width: box.width, height: box.height } : { width: TILE_PX, height: TILE_PX }}
          aria-label={single ? `Open the photo from ${author}` : `Open photo ${i + 1} of ${attachments.length} from ${author}`}
          data-testid="photo-open"
        >
          <Photo attachment={a} url={media.urlFor(a, single ? 'display' : 'thumb')} className="size-full" />
        </button>
      ))}
    </div>
  );
}
