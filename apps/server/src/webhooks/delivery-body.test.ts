/**
 * @module webhooks/delivery-body.test
 * An event's webhook body, built by splicing its stored payload in, is byte
 * for byte what writing the whole event out gives — for every mix of the
 * optional parts the event log stores, awkward names included — and a
 * payload of another shape takes the long way to the same bytes.
 */
import type { FerryNode } from '@ferry/core';
import { describe, expect, it } from 'vitest';
import type { EventRow } from '../db/schema.js';
import { eventFromRow, eventPayload, type NewEvent } from '../events/event-log.js';
import { deliveryBody } from './delivery-body.js';

const node: FerryNode = {
  id: 'nod_a',
  workspaceId: 'wsp_a',
  parentId: 'nod_root',
  kind: 'file',
  name: 'Ré"sumé\\ \u2028 {draft}.pdf',
  size: 1234,
  sha256: 'ab'.repeat(32),
  versionId: 'ver_a',
  contentVersionId: 'ver_a',
  createdAt: '2026-11-26T04:00:00.000Z',
  updatedAt: '2026-11-26T04:00:01.000Z',
  deletedAt: null,
  path: '/Ré"sumé\\ \u2028 {draft}.pdf',
};

function row(parts: Pick<NewEvent, 'node' | 'from' | 'data'>, actorId: string | null = 'usr_a'): EventRow {
  return { workspace_id: 'wsp_a', seq: 17, id: 'evt_a', type: 'file.moved', at: '2026-11-26T04:00:02.000Z', actor_id: actorId, source: 'sync:"desk"', payload: eventPayload(parts) };
}

/** The body as the whole event written out. */
const writtenOut = (event: EventRow) => JSON.stringify({ type: event.type, timestamp: event.at, data: eventFromRow(event) });

describe('an event delivery body', () => {
  const cases: [string, EventRow][] = [
    ['a node', row({ node })],
    ['a node and where it came from', row({ node, from: { parentId: null, name: 'old "name"', path: '/old' } })],
    ['a node and data', row({ node, data: { reason: 'moved by rule', count: 3, nested: { ok: true } } })],
    ['data only', row({ data: { shareId: 'shr_a' } })],
    ['nothing optional, by no one', row({}, null)],
  ];
  it.each(cases)('with %s: the stored payload spliced in, byte for byte the event written out', (_name, event) => {
    expect(deliveryBody(event)).toBe(writtenOut(event));
    expect(JSON.parse(deliveryBody(event))).toEqual({ type: event.type, timestamp: event.at, data: eventFromRow(event) });
  });

  it('takes the long way for a payload of another shape, to the same bytes', () => {
    const spaced = { ...row({ node }), payload: JSON.stringify({ node }, null, 1) };
    const withNull = { ...row({ node }), payload: '{"node":null,"data":{"a":1}}' };
    for (const event of [spaced, withNull]) expect(deliveryBody(event)).toBe(writtenOut(event));
    expect(JSON.parse(deliveryBody(withNull)).data).not.toHaveProperty('node');
  });

  it('keeps the content of parts stored in another order (only their order in the body differs)', () => {
    const reordered = { ...row({ node }), payload: JSON.stringify({ data: { a: 1 }, node }) };
    expect(JSON.parse(deliveryBody(reordered))).toEqual(JSON.parse(writtenOut(reordered)));
  });
});
