'use client';

import {
  blockListSchema,
  contactListSchema,
  contactRequestListSchema,
  type BlockList,
  type ContactList,
  type ContactRequestList,
  type ContactsChangedPayload,
} from '@chatpop/protocol';
import { useCallback, useEffect, useState } from 'react';
import { api, errorMessage } from './api';
import { accountConnection } from './inbox-connection';

export interface ContactsState {
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  contacts: ContactList['contacts'];
  requests: ContactRequestList;
  blocked: BlockList['blocked'];
}

const EMPTY: ContactsState = { status: 'loading', error: null, contacts: [], requests: { incoming: [], outgoing: [] }, blocked: [] };

/**
 * Contacts, requests and blocked people of the signed-in account, kept live:
 * `contacts:changed` on the account's connection (another device, or someone
 * sending, answering or cancelling a request) reloads what it names.
 */
export function useContacts(enabled: boolean) {
  const [state, setState] = useState<ContactsState>(EMPTY);

  const load = useCallback(async (what: ContactsChangedPayload['what'] = ['contacts', 'requests', 'blocks']) => {
    try {
      const [contacts, requests, blocked] = await Promise.all([
        what.includes('contacts') ? api.get('/api/contacts', { schema: contactListSchema }) : null,
        what.includes('requests') ? api.get('/api/contact-requests', { schema: contactRequestListSchema }) : null,
        what.includes('blocks') ? api.get('/api/blocks', { schema: blockListSchema }) : null,
      ]);
      setState((s) => ({
        status: 'ready',
        error: null,
        contacts: contacts?.contacts ?? s.contacts,
        requests: requests ?? s.requests,
        blocked: blocked?.blocked ?? s.blocked,
      }));
    } catch (error) {
      setState((s) => ({ ...s, status: s.status === 'ready' ? 'ready' : 'error', error: errorMessage(error) }));
    }
  }, []);

  useEffect(() => {
    if (!enabled) return;
    const connection = accountConnection();
    const onChanged = (payload: ContactsChangedPayload) => void load(payload.what);
    connection.socket.on('contacts:changed', onChanged);
    const offConnect = connection.onConnect(() => void load());
    const release = connection.acquire();
    void load();
    return () => {
      connection.socket.off('contacts:changed', onChanged);
      offConnect();
      release();
    };
  }, [enabled, load]);

  return { state, reload: load };
}
