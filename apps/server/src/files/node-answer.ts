/**
 * @module files/node-answer
 * Small pieces every file route shares: a checked name from the request, and
 * a node answer with its versionId in the ETag header.
 */
import { checkName, type FerryNode } from '@ferry/core';
import type { FastifyReply } from 'fastify';
import type { NodeRow } from '../db/schema.js';
import { setEtag } from './node-access.js';
import { nodeView } from './node-view.js';

/** The NFC form of a name that passes @ferry/core's name rules; else throws invalid_name. */
export function checkedName(name: string): string {
  const checked = checkName(name);
  if (!checked.ok) throw checked.error;
  return checked.value;
}

/** A node answer, with its versionId as the ETag header. */
export function answerNode(reply: FastifyReply, node: NodeRow, path: string): FerryNode {
  setEtag(reply, node.version_id);
  return nodeView(node, path);
}
