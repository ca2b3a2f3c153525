// A map stage for JSON events: stamps which host processed the event, and when.
import { hostname } from 'node:os';

const host = hostname();

export function stamp(record) {
  const event = typeof record.value === 'object' && record.value !== null ? record.value : { message: record.value };
  return { ...record, value: { ...event, processedBy: host, processedAt: new Date().toISOString() } };
}
