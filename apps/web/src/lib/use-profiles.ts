'use client';

import { PROFILES_MAX_IDS, profilesResponseSchema, type MemberProfile } from '@chatpop/protocol';
import { useEffect, useRef, useState } from 'react';
import { api, chatPath } from './api';

const BATCH_DELAY_MS = 250;

/**
 * The account profiles (display name, avatar, status) behind the verified
 * participants among `memberIds`, fetched in batches as new authors appear
 * and kept for the life of the page. Anonymous and rolled names have none.
 */
export function useProfiles(code: string, memberIds: readonly string[]): ReadonlyMap<string, MemberProfile> {
  const [profiles, setProfiles] = useState<ReadonlyMap<string, MemberProfile>>(() => new Map());
  const asked = useRef(new Set<string>());
  const key = memberIds.join(',');

  useEffect(() => {
    const wanted = key ? key.split(',').filter((id) => !asked.current.has(id)) : [];
    if (wanted.length === 0) return;
    const timer = setTimeout(() => {
      for (const id of wanted) asked.current.add(id);
      for (let i = 0; i < wanted.length; i += PROFILES_MAX_IDS) {
        const ids = wanted.slice(i, i + PROFILES_MAX_IDS);
        api
          .get(`${chatPath(code, '/profiles')}?ids=${ids.join(',')}`, { schema: profilesResponseSchema })
          .then(({ profiles: found }) => {
            if (Object.keys(found).length === 0) return;
            setProfiles((current) => new Map([...current, ...Object.entries(found)]));
          })
          // Faces are a nicety: on a failure the initials stay, and these ids may be asked again.
          .catch(() => ids.forEach((id) => asked.current.delete(id)));
      }
    }, BATCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [code, key]);

  return profiles;
}
