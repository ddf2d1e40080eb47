/**
 * @module files/change-record
 * One call that records a change of the file store inside its transaction:
 * the event of the workspace feed and the matching audit row. The caller
 * notifies the hub after commit (`ctx.hub.notify`).
 */
import type { EventType, FerryEvent, FerryNode } from '@ferry/core';
import type { Kysely } from 'kysely';
import type { Actor } from '../auth/actor.js';
import { appendAuditEntries } from '../audit/audit-log.js';
import type { Database } from '../db/schema.js';
import { appendEvents } from '../events/event-log.js';

export interface ChangeInput {
  workspaceId: string;
  type: EventType;
  at: string;
  actor: Actor;
  ip: string | null;
  /** The audit target (node or share id). */
  target: string;
  node?: FerryNode;
  from?: FerryEvent['from'];
  data?: Record<string, unknown>;
}

export async function recordChange(trx: Kysely<Database>, change: ChangeInput): Promise<void> {
  await recordChanges(trx, change.workspaceId, [change]);
}

/** Records several changes of one workspace, in order: their events (consecutive seqs) and audit rows. */
export async function recordChanges(trx: Kysely<Database>, workspaceId: string, changes: readonly ChangeInput[]): Promise<void> {
  await appendEvents(
    trx,
    workspaceId,
    changes.map((change) => ({
      workspaceId,
      type: change.type,
      at: change.at,
      actorId: change.actor.userId,
      source: change.actor.source,
      ...(change.node ? { node: change.node } : {}),
      ...(change.from ? { from: change.from } : {}),
      ...(change.data ? { data: change.data } : {}),
    })),
  );
  await appendAuditEntries(
    trx,
    changes.map((change) => ({
      at: change.at,
      workspaceId,
      actorId: change.actor.userId,
      action: change.type,
      target: change.target,
      ip: change.ip,
      details: {
        source: change.actor.source,
        ...(change.node ? { name: change.node.name, path: change.node.path } : {}),
        ...(change.from ? { from: change.from } : {}),
        ...(change.data ?? {}),
      },
    })),
  );
}
