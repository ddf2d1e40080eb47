/**
 * @module webhooks/delivery-body
 * The Standard Webhooks body of an event: `{type, timestamp, data}` with the
 * Ferry event as data. A delivery of an event stores no body of its own (the
 * column holds ''): the body is built from the event row, which never
 * changes, so every endpoint and every attempt sends the same bytes while the
 * event is stored once. Deliveries without an event (test messages) store
 * their body.
 */
import type { EventRow } from '../db/schema.js';
import { eventFromRow } from '../events/event-log.js';

/** What a delivery row's body column holds when the body is its event's. */
export const bodyFromEvent = '';

export function deliveryBody(event: EventRow): string {
  return JSON.stringify({ type: event.type, timestamp: event.at, data: eventFromRow(event) });
}
