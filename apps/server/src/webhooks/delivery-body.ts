/**
 * @module webhooks/delivery-body
 * The Standard Webhooks body of an event: `{type, timestamp, data}` with the
 * Ferry event as data. A delivery of an event stores no body of its own (the
 * column holds ''): the body is built from the event row, which never
 * changes, so every endpoint and every attempt sends the same bytes while the
 * event is stored once. Deliveries without an event (test messages) store
 * their body.
 *
 * The row's payload is the JSON of the event's optional parts, written as
 * `JSON.stringify({node, from, data})` (event-log): each present one is an
 * object. Such a payload is spliced into the body as it is stored, after the
 * event's own fields, instead of being parsed and written again, which cost
 * most of the work of building a body: the same bytes for any payload
 * event-log writes. A payload whose first part is not an object (or that is
 * not written compactly) takes the long way, through `eventFromRow`.
 */
import type { EventRow } from '../db/schema.js';
import { eventFromRow } from '../events/event-log.js';

/** What a delivery row's body column holds when the body is its event's. */
export const bodyFromEvent = '';

/** How a payload written by event-log starts: its first part, an object. */
const splicedStarts = ['{"node":{', '{"from":{', '{"data":{'];

export function deliveryBody(event: EventRow): string {
  const { payload } = event;
  const spliced = payload === '{}' ? '' : splicedStarts.some((start) => payload.startsWith(start)) && payload.endsWith('}') ? `,${payload.slice(1, -1)}` : null;
  if (spliced === null) return JSON.stringify({ type: event.type, timestamp: event.at, data: eventFromRow(event) });
  const type = JSON.stringify(event.type);
  const at = JSON.stringify(event.at);
  // The key order of eventFromRow's object: what JSON.stringify of it writes.
  return `{"type":${type},"timestamp":${at},"data":{"seq":${JSON.stringify(event.seq)},"id":${JSON.stringify(event.id)},"workspaceId":${JSON.stringify(event.workspace_id)},"type":${type},"at":${at},"actorId":${JSON.stringify(event.actor_id)},"source":${JSON.stringify(event.source)}${spliced}}}`;
}
