/**
 * OCS call results (`GSW_CALL_RESULT`), 0 to 53. Users may give the name or the number;
 * what goes on the wire is decided by the connection's `callResultFormat`, since GWS
 * installations differ in which of the two they accept.
 */
export const CALL_RESULTS = {
  Ok: 0,
  Transferred: 1,
  Conferenced: 2,
  GeneralError: 3,
  SystemError: 4,
  RemoteRelease: 5,
  Busy: 6,
  NoAnswer: 7,
  SitDetected: 8,
  AnsweringMachine: 9,
  AllTrunksBusy: 10,
  SitInvalidNum: 11,
  SitVacant: 12,
  SitIntercept: 13,
  SitUnknown: 14,
  SitNoCircuit: 15,
  SitReorder: 16,
  Fax: 17,
  QueueFull: 18,
  Cleared: 19,
  Overflowed: 20,
  Abandoned: 21,
  Redirected: 22,
  Forwarded: 23,
  Consult: 24,
  PickedUp: 25,
  Dropped: 26,
  DroppedNoAnswer: 27,
  Unknown: 28,
  Covered: 29,
  ConverseOn: 30,
  Bridged: 31,
  Silence: 32,
  Answer: 33,
  NuTone: 34,
  NoDialTone: 35,
  NoProgress: 36,
  NoRingback: 37,
  NoEstablished: 38,
  PagerDetected: 39,
  WrongParty: 40,
  DialError: 41,
  CallDropError: 42,
  SwitchError: 43,
  NoPortAvailable: 44,
  TransferError: 45,
  Stale: 46,
  AgentCallbackError: 47,
  GroupCallbackError: 48,
  Deafened: 49,
  Held: 50,
  DoNotCall: 51,
  CancelRecord: 52,
  WrongNumber: 53,
} as const;

export type CallResultName = keyof typeof CALL_RESULTS;
export type CallResultFormat = 'name' | 'number';

/** Names as the OCS documentation writes them, accepted as aliases of the canonical names. */
const ALIASES: Record<string, CallResultName> = {
  answeringmachinedetected: 'AnsweringMachine',
  faxdetected: 'Fax',
  unknowncallresult: 'Unknown',
  droppedonnoanswer: 'DroppedNoAnswer',
  sitic: 'SitIntercept',
  sitnc: 'SitNoCircuit',
  sitro: 'SitReorder',
  sitvc: 'SitVacant',
  situnknowncallstate: 'SitUnknown',
  noringbacktone: 'NoRingback',
  noestablisheddetected: 'NoEstablished',
};

const BY_KEY = new Map<string, CallResultName>();
const BY_NUMBER = new Map<number, CallResultName>();
for (const [name, code] of Object.entries(CALL_RESULTS) as [CallResultName, number][]) {
  BY_KEY.set(normaliseKey(name), name);
  BY_NUMBER.set(code, name);
}
for (const [alias, name] of Object.entries(ALIASES)) BY_KEY.set(alias, name);

function normaliseKey(text: string): string {
  return text.toLowerCase().replace(/[\s_\-()]/g, '');
}

export interface CallResult {
  name: CallResultName;
  code: number;
}

/**
 * Reads a call result given as a name (`Answer`, `answering machine detected`, `NO_ANSWER`)
 * or as its number (33 or "33"). Returns undefined for anything else.
 */
export function parseCallResult(value: unknown): CallResult | undefined {
  let name: CallResultName | undefined;
  if (typeof value === 'number') {
    name = Number.isInteger(value) ? BY_NUMBER.get(value) : undefined;
  } else if (typeof value === 'string') {
    const text = value.trim();
    name = /^\d{1,2}$/.test(text) ? BY_NUMBER.get(Number(text)) : BY_KEY.get(normaliseKey(text));
  }
  return name === undefined ? undefined : { name, code: CALL_RESULTS[name] };
}
