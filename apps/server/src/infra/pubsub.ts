import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';

/**
 * Messages between server nodes that are not for clients (a room's settings
 * changed, drop your copy). Client-facing broadcasts go through Socket.IO's
 * adapter instead.
 */
export interface PubSub {
  readonly kind: 'memory' | 'redis';
  publish(channel: string, payload: unknown): Promise<void>;
  subscribe(channel: string, handler: (payload: unknown) => void): Promise<void>;
  close(): Promise<void>;
}

export class MemoryPubSub implements PubSub {
  readonly kind = 'memory' as const;
  private emitter = new EventEmitter();

  async publish(channel: string, payload: unknown) {
    this.emitter.emit(channel, payload);
  }

  async subscribe(channel: string, handler: (payload: unknown) => void) {
    this.emitter.on(channel, handler);
  }

  async close() {
    this.emitter.removeAllListeners();
  }
}

export class RedisPubSub implements PubSub {
  readonly kind = 'redis' as const;
  private handlers = new Map<string, ((payload: unknown) => void)[]>();

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly prefix = '',
  ) {
    sub.on('message', (prefixed: string, raw: string) => {
      const channel = prefixed.slice(this.prefix.length);
      let payload: unknown;
      try {
        payload = JSON.parse(raw);
      } catch {
        return;
      }
      for (const h of this.handlers.get(channel) ?? []) h(payload);
    });
  }

  async publish(channel: string, payload: unknown) {
    await this.pub.publish(this.prefix + channel, JSON.stringify(payload));
  }

  async subscribe(channel: string, handler: (payload: unknown) => void) {
    const list = this.handlers.get(channel) ?? [];
    list.push(handler);
    this.handlers.set(channel, list);
    if (list.length === 1) await this.sub.subscribe(this.prefix + channel);
  }

  async close() {
    this.sub.disconnect();
  }
}
