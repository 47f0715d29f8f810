/**
 * Retry delays with jitter. A contact centre runs one connection per agent: after a GWS restart, N
 * links retrying on the same fixed schedule arrive in waves of N requests at once. Each delay is drawn
 * from [nominal / 2, nominal / 2 + window), the window being at least the nominal delay: with a window of
 * one full backoff step even the first, short retries of N links spread over that whole step.
 */
export function jittered(nominalMs: number, windowMs = nominalMs, random: () => number = Math.random): number {
  return Math.max(0, Math.round(nominalMs / 2 + random() * Math.max(nominalMs, windowMs)));
}
