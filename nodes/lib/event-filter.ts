/** What the event node passes: channels, notification types, and the topic of a notification. */
import { INTERNAL_CHANNEL, OUTBOUND_CHANNEL } from '../../core/wire-types.js';

/** The channels a `channel` setting passes. `/v2/me/*` is read as both: a wildcard under /v2/me would miss /me/internal. */
export function channelsOf(channel: unknown): Set<string> {
  if (channel === INTERNAL_CHANNEL) return new Set([INTERNAL_CHANNEL]);
  if (channel === 'both' || channel === '/v2/me/*') return new Set([OUTBOUND_CHANNEL, INTERNAL_CHANNEL]);
  return new Set([OUTBOUND_CHANNEL]);
}

/** `notificationTypes` as an array or a comma-separated string; empty passes everything. */
export function typesOf(value: unknown): Set<string> | undefined {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  const types = list.map((entry) => String(entry).trim()).filter((entry) => entry !== '');
  return types.length === 0 ? undefined : new Set(types);
}

export function topicOf(data: Record<string, unknown>): string {
  const type = data.notificationType;
  if ((typeof type === 'string' && type !== '') || typeof type === 'number') return String(type);
  if (typeof data.messageType === 'string') return data.messageType;
  return '';
}

export const CHANNEL_SETTINGS = ['', '/v2/me/outbound', '/me/internal', 'both', '/v2/me/*'];
export const CORRELATED_SETTINGS = ['', 'all', 'only', 'none'];
