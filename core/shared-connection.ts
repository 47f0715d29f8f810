/**
 * The lifecycle of the one connection a server node owns, shared by every node that uses it (the MQTT
 * broker pattern of Node-RED's core, without Node-RED): users register and deregister; the first user
 * opens the connection, the last one removed closes it (a redeploy, which deregisters without
 * `removed`, keeps it for the node that comes back); every state change is painted on every user, and a
 * user that joins late is painted at once; notifications go to every user that listens.
 */
import type { ConnectionState, GwsConnection, TaggedNotification } from './connection.js';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';

/** Something that uses the connection: an action node or an event node. */
export interface ConnectionUser {
  readonly id: string;
  connectionChanged(state: ConnectionState): void;
  /** Called with every notification, when the user listens to them. */
  notification?(notification: TaggedNotification): void;
}

/** What opening makes: the connection, and what to release after it closed (a simulator started for it). */
export interface OpenedConnection {
  connection: GwsConnection;
  release?(): Promise<void>;
}

export interface SharedConnectionOptions {
  /** Builds (and starts) the connection when the first user needs it. */
  open(): Promise<OpenedConnection>;
  /** Why this configuration cannot connect at all; users are painted with it and nothing is opened. */
  configError?: string;
  /** Told every state change after the users (for logging). */
  stateChanged?(state: ConnectionState): void;
  /** How long closing waits for the server to confirm the disconnect (ms). */
  closeWaitMs?: number;
  log?: Logger;
}

export class SharedConnection {
  readonly #options: SharedConnectionOptions;
  readonly #users = new Map<string, ConnectionUser>();
  readonly #log: Logger;
  #opened?: OpenedConnection;
  #opening?: Promise<GwsConnection>;
  #state: ConnectionState;
  #closed = false;

  constructor(options: SharedConnectionOptions) {
    this.#options = options;
    this.#log = options.log ?? silentLogger;
    this.#state = options.configError ? { status: 'failed', reason: 'badConfig', detail: options.configError } : { status: 'disconnected' };
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get userCount(): number {
    return this.#users.size;
  }

  /** True while a connection is open or opening. */
  get active(): boolean {
    return this.#opening !== undefined;
  }

  /** Adds a user, paints it with the current state, and opens the connection if none is open. */
  register(user: ConnectionUser): void {
    this.#users.set(user.id, user);
    this.#paint(user, this.#state);
    if (this.#options.configError || this.#closed) return;
    this.connect().catch((error: unknown) => {
      this.#opening = undefined;
      this.#setState({ status: 'failed', reason: 'unreachable', detail: (error as Error).message });
    });
  }

  /** Removes a user; closes the connection when it was the last and it was removed (not redeployed). */
  async deregister(user: ConnectionUser, removed: boolean): Promise<void> {
    if (this.#users.get(user.id) === user) this.#users.delete(user.id);
    if (removed && this.#users.size === 0) await this.#shut();
  }

  /** The connection, opened on first use. */
  connect(): Promise<GwsConnection> {
    if (this.#options.configError) return Promise.reject(new Error(this.#options.configError));
    if (this.#closed) return Promise.reject(new Error('the connection was closed'));
    this.#opening ??= this.#open();
    return this.#opening;
  }

  /**
   * Closes a connection no user needs any more: a node moved to another server node is closed without
   * `removed`, so after a deploy has started the flows this catches what deregister could not.
   */
  async closeIfUnused(): Promise<void> {
    if (this.#users.size === 0 && this.#opening !== undefined) await this.#shut();
  }

  /** Closes for good (the server node closes): users are forgotten, the connection released. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#users.clear();
    await this.#shut();
  }

  async #open(): Promise<GwsConnection> {
    const opened = await this.#options.open();
    if (this.#closed || this.#opening === undefined) {
      // Closed while opening: release what was made at once.
      await this.#release(opened);
      throw new Error('the connection was closed');
    }
    this.#opened = opened;
    const { connection } = opened;
    connection.on('state', (state) => this.#setState(state));
    connection.on('notification', (notification) => this.#notify(notification));
    connection.start();
    return connection;
  }

  async #shut(): Promise<void> {
    const opening = this.#opening;
    const opened = this.#opened;
    this.#opening = undefined;
    this.#opened = undefined;
    if (opening === undefined) return;
    try {
      if (opened) await this.#release(opened);
      else await opening.catch(() => undefined);
    } finally {
      if (!this.#options.configError) this.#setState({ status: 'disconnected' });
    }
  }

  async #release(opened: OpenedConnection): Promise<void> {
    try {
      await opened.connection.stop(this.#options.closeWaitMs ?? 500);
    } finally {
      await opened.release?.();
    }
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    for (const user of [...this.#users.values()]) this.#paint(user, state);
    this.#options.stateChanged?.(state);
  }

  #paint(user: ConnectionUser, state: ConnectionState): void {
    try {
      user.connectionChanged(state);
    } catch (error) {
      this.#log.warn(`status of ${user.id} could not be shown: ${(error as Error).message}`);
    }
  }

  #notify(notification: TaggedNotification): void {
    for (const user of [...this.#users.values()]) {
      if (!user.notification) continue;
      try {
        user.notification(notification);
      } catch (error) {
        this.#log.warn(`a notification could not be handed to ${user.id}: ${(error as Error).message}`);
      }
    }
  }
}
