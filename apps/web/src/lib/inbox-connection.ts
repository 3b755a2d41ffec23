import { meResponseSchema, PRESENCE_HEARTBEAT_MS, type ReceiptAck, type ReceiptBody } from '@chatpop/protocol';
import { ApiError, api } from './api';
import { createAccountSocket, type ChatSocket } from './socket';

/**
 * The tab's one account connection for the Inbox list and the header badge:
 * the per-user events (`conversation:new`, `conversation:updated`,
 * `inbox:unread`) and the receipts the list sends. The server reads the
 * account from the access cookie at the handshake and silently ignores an
 * expired one, so this connection never reconnects on its own: before each
 * handshake it makes sure the session is fresh (`GET /api/me` refreshes it).
 * While connected it heartbeats, which is what keeps the account shown as
 * online to its conversation partners (docs/api.md, "Presence").
 */

export type AccountConnectionState = 'idle' | 'connecting' | 'connected' | 'signed-out';

export type SessionCheck = 'ok' | 'signed-out' | 'unknown';

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;
/** Kept open this long after the last user lets go: a page change that hands it on does not reconnect. */
const RELEASE_DELAY_MS = 5_000;
const ACK_TIMEOUT_MS = 10_000;

export class ReceiptError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function checkSession(): Promise<SessionCheck> {
  try {
    await api.get('/api/me', { schema: meResponseSchema });
    return 'ok';
  } catch (error) {
    return error instanceof ApiError && error.status === 401 ? 'signed-out' : 'unknown';
  }
}

export class AccountConnection {
  readonly socket: ChatSocket;
  private state: AccountConnectionState = 'idle';
  private readonly stateListeners = new Set<() => void>();
  private readonly connectListeners = new Set<() => void>();
  private users = 0;
  private opening = false;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private releaseTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly session: () => Promise<SessionCheck> = checkSession,
    socket: ChatSocket = createAccountSocket({ reconnection: false }),
  ) {
    this.socket = socket;
    socket.on('connect', () => {
      this.retryMs = RETRY_MIN_MS;
      this.setState('connected');
      if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = setInterval(() => {
        if (socket.connected) socket.emit('presence:heartbeat');
      }, PRESENCE_HEARTBEAT_MS);
      for (const listener of this.connectListeners) listener();
    });
    socket.on('disconnect', (reason) => {
      if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = null;
      if (this.state !== 'signed-out') this.setState(this.users > 0 ? 'connecting' : 'idle');
      if (reason !== 'io client disconnect') this.retryLater();
    });
    socket.on('connect_error', () => this.retryLater());
  }

  getState = (): AccountConnectionState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  };

  /** Called on every (re)connect: what was missed while away must be fetched again. */
  onConnect(listener: () => void): () => void {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Starts using the connection; the returned function lets go of it. */
  acquire(): () => void {
    this.users++;
    // Signed in again since (in this tab): worth another try.
    if (this.users === 1 && this.state === 'signed-out') this.state = 'idle';
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.releaseTimer = null;
    if (this.users === 1 && typeof window !== 'undefined') {
      window.addEventListener('online', this.onNetwork);
      document.addEventListener('visibilitychange', this.onNetwork);
    }
    void this.open();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.users--;
      if (this.users > 0) return;
      this.releaseTimer = setTimeout(() => this.close(), RELEASE_DELAY_MS);
    };
  }

  /** `receipt:read` or `receipt:delivered` with its ack; rejects with the server's error code. */
  receipt(kind: 'read' | 'delivered', body: ReceiptBody): Promise<ReceiptAck> {
    if (!this.socket.connected) return Promise.reject(new ReceiptError('OFFLINE', 'Not connected.'));
    return new Promise((resolve, reject) => {
      this.socket.timeout(ACK_TIMEOUT_MS).emit(`receipt:${kind}`, body, (err, res) => {
        if (err) return reject(new ReceiptError('TIMEOUT', 'No answer from the server.'));
        if (res.ok) return resolve(res);
        // The handshake went without a live session: shake hands again once it is fresh.
        if (res.error.code === 'UNAUTHENTICATED') this.reconnect();
        reject(new ReceiptError(res.error.code, res.error.message));
      });
    });
  }

  private reconnect(): void {
    if (!this.socket.connected) return;
    this.socket.disconnect();
    void this.open();
  }

  private onNetwork = (): void => {
    if (document.visibilityState === 'hidden' || !navigator.onLine) return;
    if (this.users > 0 && !this.socket.connected) {
      this.retryMs = RETRY_MIN_MS;
      void this.open();
    }
  };

  private async open(): Promise<void> {
    if (this.opening || this.socket.connected || this.users === 0 || this.state === 'signed-out') return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.opening = true;
    if (this.state === 'idle') this.setState('connecting');
    try {
      const session = await this.session();
      if (this.users === 0) return;
      if (session === 'signed-out') {
        this.setState('signed-out');
        return;
      }
      if (session === 'unknown') {
        this.retryLater();
        return;
      }
      this.socket.connect();
    } finally {
      this.opening = false;
    }
  }

  private retryLater(): void {
    if (this.users === 0 || this.retryTimer || this.state === 'signed-out') return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.open();
    }, delay);
  }

  private close(): void {
    this.releaseTimer = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (typeof window !== 'undefined') {
      window.removeEventListener('online', this.onNetwork);
      document.removeEventListener('visibilitychange', this.onNetwork);
    }
    this.socket.disconnect();
    this.setState('idle');
  }

  private setState(state: AccountConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener();
  }
}

let shared: AccountConnection | null = null;

/** The tab's account connection (made on first use). */
export function accountConnection(): AccountConnection {
  shared ??= new AccountConnection();
  return shared;
}
