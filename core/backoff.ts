/**
 * Retry delays with jitter. A contact centre runs one connection per agent: after a GWS restart, N
 * links retrying on the same fixed schedule arrive in waves of N requests at once. Each delay is drawn
 * from [0.5, 1.5) times its nominal value, so the links spread over a whole backoff step.
 */
export function jittered(nominalMs: number, random: () => number = Math.random): number {
  return Math.max(0, Math.round(nominalMs * (0.5 + random())));
}
