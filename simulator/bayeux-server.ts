/**
 * A Bayeux 1.0 server, long-polling only, as GWS serves `/api/v2/notifications`: handshake, connect
 * (held until there is something to deliver or the advice timeout), subscribe, unsubscribe, disconnect,
 * CometD's ack extension (redelivery of what a lost long poll carried), and `402::Unknown client` for a
 * client it does not know. Messages go to the clients of one user only.
 *
 * Each notification is serialised once, when it is delivered, and queued as JSON text: one that cannot
 * be serialised (a cycle, a BigInt, nesting too deep for the stack) is dropped and counted, and can
 * never make a later long-poll answer fail.
 */
import { randomBytes } from 'node:crypto';

export interface BayeuxMessage {
  channel: string;
  id?: string;
  clientId?: string;
  successful?: boolean;
  error?: string;
  subscription?: string | string[];
  advice?: Record<string, unknown>;
  ext?: Record<string, unknown>;
  data?: unknown;
  [key: string]: unknown;
}

export interface BayeuxOptions {
  /** How long a /meta/connect is held (ms). */
  timeoutMs: number;
  /** How long a client may stay without a /meta/connect before it is forgotten (ms). */
  maxIntervalMs: number;
  ackExtension: boolean;
}

/** One long-poll answer: the JSON array to send and how many notifications it carries. */
export interface BayeuxAnswer {
  text: string;
  notifications: number;
}

interface Held {
  replies: BayeuxMessage[];
  connectReply: BayeuxMessage;
  resolve(answer: BayeuxAnswer): void;
  timer: NodeJS.Timeout;
}

interface Client {
  id: string;
  user: string;
  subscriptions: Set<string>;
  /** Notifications waiting for the next long-poll answer, as JSON text. */
  queue: string[];
  held?: Held;
  flushScheduled: boolean;
  ack: boolean;
  batch: number;
  unacked: Array<{ batch: number; messages: string[] }>;
  lastSeen: number;
}

/** Channels a client of this server may subscribe. */
const ALLOWED = /^\/(v2\/me|me)(\/[^*/]+)*(\/\*{1,2})?$/;
const MAX_QUEUE = 200000;

export class BayeuxServer {
  readonly #clients = new Map<string, Client>();
  readonly #byUser = new Map<string, Set<Client>>();
  readonly #options: BayeuxOptions;
  readonly #sweeper: NodeJS.Timeout;
  delivered = 0;
  /** Notifications dropped because they could not be serialised. */
  dropped = 0;

  constructor(options: BayeuxOptions) {
    this.#options = options;
    this.#sweeper = setInterval(() => this.#sweep(), 5000);
    this.#sweeper.unref();
  }

  set ackExtension(enabled: boolean) {
    this.#options.ackExtension = enabled;
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  get heldCount(): number {
    let held = 0;
    for (const client of this.#clients.values()) if (client.held) held++;
    return held;
  }

  /** Handles one POSTed batch for an authenticated user; resolves with the answer array. */
  handle(user: string, messages: BayeuxMessage[]): Promise<BayeuxAnswer> {
    const replies: BayeuxMessage[] = [];
    let connect: { client: Client; reply: BayeuxMessage; immediate: boolean } | undefined;
    for (const message of messages) {
      if (message === null || typeof message !== 'object' || typeof message.channel !== 'string') {
        replies.push({ channel: '/meta/unknown', successful: false, error: '400::Bad message' });
        continue;
      }
      switch (message.channel) {
        case '/meta/handshake':
          replies.push(this.#handshake(user, message));
          break;
        case '/meta/connect': {
          const client = this.#known(user, message);
          if (!client) {
            replies.push(unknownClient(message));
            break;
          }
          connect = { client, reply: this.#connectReply(message), immediate: this.#acknowledge(client, message) };
          break;
        }
        case '/meta/subscribe':
        case '/meta/unsubscribe': {
          const client = this.#known(user, message);
          replies.push(client ? this.#subscription(client, message) : unknownClient(message));
          break;
        }
        case '/meta/disconnect': {
          const client = this.#known(user, message);
          if (client) this.#remove(client);
          replies.push(client ? { channel: message.channel, id: idOf(message), successful: true } : unknownClient(message));
          break;
        }
        default:
          replies.push({ channel: message.channel, id: idOf(message), successful: false, error: '403::Publish denied' });
      }
    }
    if (connect === undefined) return Promise.resolve(answerOf([], replies));
    const { client, reply, immediate } = connect;
    // A newer connect replaces a held one, which is answered at once.
    this.#release(client);
    if (immediate || client.queue.length > 0) return Promise.resolve(this.#answer(client, replies, reply));
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#release(client), this.#options.timeoutMs);
      client.held = { replies, connectReply: reply, resolve, timer };
    });
  }

  /** Queues notifications for every client of `user` subscribed to their channels; they leave in one answer. */
  deliver(user: string, notifications: Array<{ channel: string; data: unknown }>): number {
    const clients = this.#byUser.get(user);
    if (!clients) return 0;
    const serialised: Array<{ channel: string; text: string }> = [];
    for (const { channel, data } of notifications) {
      try {
        serialised.push({ channel, text: JSON.stringify({ channel, data }) });
      } catch {
        this.dropped++;
      }
    }
    let reached = 0;
    for (const client of clients) {
      let queued = false;
      for (const notification of serialised) {
        if (!subscribed(client, notification.channel)) continue;
        if (client.queue.length >= MAX_QUEUE) client.queue.shift();
        client.queue.push(notification.text);
        queued = true;
      }
      if (queued) {
        reached++;
        this.#scheduleFlush(client);
      }
    }
    return reached;
  }

  /** Forgets every client: their next /meta/connect answers 402::Unknown client. */
  forgetAll(): void {
    for (const client of [...this.#clients.values()]) {
      const held = client.held;
      client.held = undefined;
      this.#remove(client);
      if (held) {
        clearTimeout(held.timer);
        held.resolve(answerOf([], [...held.replies, unknownClient(held.connectReply)]));
      }
    }
  }

  close(): void {
    clearInterval(this.#sweeper);
    for (const client of [...this.#clients.values()]) {
      this.#release(client);
      this.#remove(client);
    }
  }

  #handshake(user: string, message: BayeuxMessage): BayeuxMessage {
    const id = randomBytes(12).toString('hex');
    const ack = this.#options.ackExtension && message.ext?.ack === true;
    const client: Client = {
      id,
      user,
      subscriptions: new Set(),
      queue: [],
      flushScheduled: false,
      ack,
      batch: 0,
      unacked: [],
      lastSeen: Date.now(),
    };
    this.#clients.set(id, client);
    let users = this.#byUser.get(user);
    if (!users) this.#byUser.set(user, (users = new Set()));
    users.add(client);
    const reply: BayeuxMessage = {
      channel: '/meta/handshake',
      id: idOf(message),
      successful: true,
      version: '1.0',
      supportedConnectionTypes: ['long-polling'],
      clientId: id,
      advice: { reconnect: 'retry', interval: 0, timeout: this.#options.timeoutMs },
    };
    if (ack) reply.ext = { ack: true };
    return reply;
  }

  #known(user: string, message: BayeuxMessage): Client | undefined {
    const client = typeof message.clientId === 'string' ? this.#clients.get(message.clientId) : undefined;
    if (!client || client.user !== user) return undefined;
    client.lastSeen = Date.now();
    return client;
  }

  #connectReply(message: BayeuxMessage): BayeuxMessage {
    return {
      channel: '/meta/connect',
      id: idOf(message),
      successful: true,
      advice: { interval: 0, timeout: this.#options.timeoutMs, reconnect: 'retry' },
    };
  }

  /**
   * Ack extension: the client confirms the last batch it received. Batches up to it are dropped;
   * later ones were lost on the way and go out again first. Returns true when the connect must be
   * answered at once (the client asked for it with advice.timeout 0).
   */
  #acknowledge(client: Client, message: BayeuxMessage): boolean {
    if (client.ack && typeof message.ext?.ack === 'number') {
      const confirmed = message.ext.ack;
      const lost = client.unacked.filter((entry) => entry.batch > confirmed);
      client.unacked = [];
      if (lost.length > 0) client.queue.unshift(...lost.flatMap((entry) => entry.messages));
    }
    return message.advice?.timeout === 0;
  }

  #answer(client: Client, replies: BayeuxMessage[], connectReply: BayeuxMessage): BayeuxAnswer {
    const messages = client.queue;
    client.queue = [];
    this.delivered += messages.length;
    if (client.ack) {
      if (messages.length > 0) client.unacked.push({ batch: ++client.batch, messages });
      connectReply.ext = { ack: client.batch };
    }
    return answerOf(messages, [...replies, connectReply]);
  }

  #release(client: Client): void {
    const held = client.held;
    if (!held) return;
    client.held = undefined;
    clearTimeout(held.timer);
    held.resolve(this.#answer(client, held.replies, held.connectReply));
  }

  #scheduleFlush(client: Client): void {
    if (client.flushScheduled || !client.held) return;
    client.flushScheduled = true;
    // Deliver everything queued in this turn (an answer and its user event) in one long-poll answer.
    setImmediate(() => {
      client.flushScheduled = false;
      this.#release(client);
    });
  }

  #subscription(client: Client, message: BayeuxMessage): BayeuxMessage {
    const channels = Array.isArray(message.subscription) ? message.subscription : [message.subscription];
    for (const channel of channels) {
      if (typeof channel !== 'string' || !ALLOWED.test(channel)) {
        // Echo only what is a channel name: an answer never carries structure a client made up.
        const subscription = channels.filter((name) => typeof name === 'string');
        return { channel: message.channel, id: idOf(message), subscription, successful: false, error: '403::Subscription denied' };
      }
    }
    for (const channel of channels as string[]) {
      if (message.channel === '/meta/subscribe') client.subscriptions.add(channel);
      else client.subscriptions.delete(channel);
    }
    return { channel: message.channel, id: idOf(message), subscription: message.subscription, successful: true };
  }

  #remove(client: Client): void {
    if (client.held) {
      clearTimeout(client.held.timer);
      const held = client.held;
      client.held = undefined;
      held.resolve(answerOf([], [...held.replies, held.connectReply]));
    }
    this.#clients.delete(client.id);
    const users = this.#byUser.get(client.user);
    users?.delete(client);
    if (users && users.size === 0) this.#byUser.delete(client.user);
  }

  #sweep(): void {
    const limit = Date.now() - this.#options.timeoutMs - this.#options.maxIntervalMs;
    for (const client of [...this.#clients.values()]) {
      if (!client.held && client.lastSeen < limit) this.#remove(client);
    }
  }
}

function unknownClient(message: BayeuxMessage): BayeuxMessage {
  return {
    channel: message.channel,
    id: idOf(message),
    successful: false,
    error: '402::Unknown client',
    advice: { reconnect: 'handshake', interval: 0 },
  };
}

function subscribed(client: Client, channel: string): boolean {
  if (client.subscriptions.has(channel)) return true;
  const parts = channel.split('/');
  for (let i = parts.length - 1; i > 0; i--) {
    const prefix = parts.slice(0, i).join('/');
    if (i === parts.length - 1 && client.subscriptions.has(`${prefix}/*`)) return true;
    if (client.subscriptions.has(`${prefix}/**`)) return true;
  }
  return false;
}

/** The message id to echo: Bayeux ids are strings; anything else a client sends is not echoed. */
function idOf(message: BayeuxMessage): string | undefined {
  return typeof message.id === 'string' ? message.id : undefined;
}

/** The answer array: the queued notifications (already JSON) first, then the meta replies. */
function answerOf(notifications: string[], replies: BayeuxMessage[]): BayeuxAnswer {
  const texts = [...notifications, ...replies.map((reply) => JSON.stringify(reply))];
  return { text: `[${texts.join(',')}]`, notifications: notifications.length };
}
