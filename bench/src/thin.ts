/**
 * A thin Engine.IO v4 / Socket.IO v4 client over `ws`, websocket transport
 * only, no reconnection, no binary packets: just what the benchmark needs,
 * with the hot paths (message:new, acks, pings) handled on raw bytes so the
 * generator is not the bottleneck.
 *
 * Wire format: Engine.IO `0{…}` open, `2`/`3` ping/pong, `1` close; Socket.IO
 * on top (inside Engine.IO message `4`): `40{auth}` connect, `40{sid}`
 * connected, `44{…}` connect error, `42[name, payload]` event,
 * `42N[name, payload]` event with ack id N, `43N[reply]` ack.
 */
import WebSocket from 'ws';
import type { MemberSpec } from './types';

export type AckFn = (buf: Buffer, at: number) => void;

export interface RoomState {
  key: string;
  roomId: string;
  code?: string;
  size: number;
  conns: ThinConn[];
  senders: ThinConn[];
  ptr: number;
  joinedCount: number;
  /** Highest seq seen in an ok ack of a send. */
  maxAckedSeq: number;
}

export interface JoinReply {
  ok: boolean;
  lastSeq?: number;
  hasMore?: boolean;
  messages?: { seq: number }[];
  error?: { code: string };
}

/** Called for every `message:new` frame (raw bytes). */
export let onDelivery: (conn: ThinConn, buf: Buffer) => void = () => undefined;
export function setDeliveryHandler(fn: (conn: ThinConn, buf: Buffer) => void) {
  onDelivery = fn;
}

const SEQ_MARK = Buffer.from('"seq":');

/** Reads the integer after `"seq":` at or after `from` (-1 when absent). */
export function readSeq(buf: Buffer, from = 0): number {
  const j = buf.indexOf(SEQ_MARK, from);
  if (j < 0) return -1;
  let p = j + SEQ_MARK.length;
  let v = 0;
  let c = buf[p]!;
  while (c >= 48 && c <= 57) {
    v = v * 10 + (c - 48);
    c = buf[++p]!;
  }
  return v;
}

/** Connections that closed without the generator asking (server closed them, ping timeout, reset). */
export const closeStats = { unexpected: 0 };

export interface BudgetRule {
  perSecond: number;
  perMinute: number;
}

export class ThinConn {
  ws: WebSocket | null = null;
  joined = false;
  /** seq → times received, while a storm tracks exactly-once delivery. */
  seqCounts: Map<number, number> | null = null;
  maxSeq = 0;
  private acks = new Map<number, AckFn>();
  private nextAck = 1;
  private sendTimes: number[] = [];
  private onOpen: (() => void) | null = null;
  private onConnected: (() => void) | null = null;
  private onConnectError: ((code: string) => void) | null = null;

  constructor(
    readonly room: RoomState,
    readonly member: MemberSpec,
    public node: number,
    readonly canSend: boolean,
  ) {}

  /** Opens the socket, connects with the chat token and joins the room; resolves with the join ack. */
  connect(url: string, afterSeq: number, timeoutMs = 30_000): Promise<JoinReply> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: timeoutMs });
      const fail = (code: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws.terminate();
        reject(new Error(code));
      };
      const timer = setTimeout(() => fail('TIMEOUT'), timeoutMs);
      this.ws = ws;
      this.acks.clear();
      ws.on('message', (data: Buffer) => this.onFrame(data));
      ws.on('error', (err: Error & { code?: string }) => fail(err.code ?? 'WS_ERROR'));
      ws.on('close', () => {
        if (this.ws === ws) {
          if (settled && this.joined) closeStats.unexpected++;
          this.ws = null;
          this.markLeft();
        }
        fail('CLOSED');
      });
      this.onOpen = () => ws.send(`40${JSON.stringify({ chatTokens: [this.member.token] })}`);
      this.onConnectError = (code) => fail(code);
      this.onConnected = () => {
        this.emit('room:join', { roomId: this.room.roomId, afterSeq }, (buf, at) => {
          if (settled) return;
          let reply: JoinReply;
          try {
            reply = (JSON.parse(buf.toString('utf8', at)) as JoinReply[])[0] ?? { ok: false };
          } catch {
            reply = { ok: false, error: { code: 'BAD_ACK' } };
          }
          if (!reply.ok) return fail(reply.error?.code ?? 'JOIN_FAILED');
          settled = true;
          clearTimeout(timer);
          this.joined = true;
          this.room.joinedCount++;
          if (typeof reply.lastSeq === 'number' && reply.lastSeq > this.maxSeq) this.maxSeq = reply.lastSeq;
          resolve(reply);
        });
      };
    });
  }

  private markLeft() {
    if (this.joined) {
      this.joined = false;
      this.room.joinedCount--;
    }
  }

  private onFrame(buf: Buffer) {
    const c0 = buf[0];
    if (c0 === 52) {
      // '4': a Socket.IO packet
      const c1 = buf[1];
      if (c1 === 50) {
        // '42["message:new",' — the only event whose bytes we look at
        if (buf[4] === 109 && buf[12] === 110 && buf[15] === 34) onDelivery(this, buf);
      } else if (c1 === 51) {
        let p = 2;
        let id = 0;
        let c = buf[p]!;
        while (c >= 48 && c <= 57) {
          id = id * 10 + (c - 48);
          c = buf[++p]!;
        }
        const cb = this.acks.get(id);
        if (cb) {
          this.acks.delete(id);
          cb(buf, p);
        }
      } else if (c1 === 48) {
        this.onConnected?.();
        this.onConnected = null;
      } else if (c1 === 52) {
        let code = 'CONNECT_ERROR';
        try {
          code = (JSON.parse(buf.toString('utf8', 2)) as { message?: string }).message ?? code;
        } catch {
          // keep the generic code
        }
        this.onConnectError?.(code);
      }
    } else if (c0 === 50) {
      this.ws?.send('3');
    } else if (c0 === 48) {
      this.onOpen?.();
      this.onOpen = null;
    } else if (c0 === 49) {
      this.ws?.terminate();
    }
  }

  emit(name: string, payload: unknown, ack?: AckFn): void {
    if (!this.ws) return;
    if (ack) {
      const id = this.nextAck++;
      this.acks.set(id, ack);
      this.ws.send(`42${id}${JSON.stringify([name, payload])}`);
    } else {
      this.ws.send(`42${JSON.stringify([name, payload])}`);
    }
  }

  /** `message:send` with an ack, built by hand: ids and content are plain ASCII without quotes. */
  sendMessage(clientId: string, content: string, ack: AckFn, nowMs: number): void {
    const id = this.nextAck++;
    this.acks.set(id, ack);
    this.sendTimes.push(nowMs);
    this.ws!.send(`42${id}["message:send",{"roomId":"${this.room.roomId}","clientId":"${clientId}","content":"${content}"}]`);
  }

  /** Whether one more send now stays inside the per-member limit (sliding windows, stricter than the server's fixed ones). */
  hasBudget(nowMs: number, rule: BudgetRule | null): boolean {
    if (!rule) return true;
    const t = this.sendTimes;
    while (t.length > 0 && t[0]! <= nowMs - 60_000) t.shift();
    if (t.length >= rule.perMinute) return false;
    let lastSecond = 0;
    for (let i = t.length - 1; i >= 0 && t[i]! > nowMs - 1000; i--) lastSecond++;
    return lastSecond < rule.perSecond;
  }

  close(): Promise<void> {
    const ws = this.ws;
    this.markLeft();
    if (!ws) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 3000);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (ws.readyState === WebSocket.OPEN) ws.send('41');
      ws.close();
    });
  }

  /** Drops the TCP connection without a goodbye, like a phone losing its network. */
  drop(): void {
    this.markLeft();
    this.ws?.terminate();
    this.ws = null;
  }
}
