/**
 * The records the simulator has seen or made: their calling list by record handle, so that answers to
 * requests that do not name the list (RescheduleRecord, GetChainedRecord, UpdateRecord) name the right
 * one. Bounded: the oldest record is forgotten first.
 */
const MAX_RECORDS = 10000;

export class KnownRecords {
  readonly #callingLists = new Map<string, string>();
  readonly #defaultCallingList: string;
  // Handles the simulator makes start far above the small ones the documentation and tests use.
  #nextHandle = 100001;
  #nextChain = 1001;

  constructor(defaultCallingList: string) {
    this.#defaultCallingList = defaultCallingList;
  }

  /** The calling list of a record, or the default list for a record never seen. */
  callingListOf(handle: number | string): string {
    return this.#callingLists.get(String(handle)) ?? this.#defaultCallingList;
  }

  remember(handle: number | string, callingList: string): void {
    const key = String(handle);
    this.#callingLists.delete(key);
    this.#callingLists.set(key, callingList);
    if (this.#callingLists.size > MAX_RECORDS) this.#callingLists.delete(this.#callingLists.keys().next().value as string);
  }

  /** A record handle no record of the simulator has had. */
  newHandle(): number {
    return this.#nextHandle++;
  }

  newChainId(): number {
    return this.#nextChain++;
  }
}
