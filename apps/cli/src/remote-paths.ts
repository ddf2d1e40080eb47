/**
 * @module remote-paths
 * Workspace paths as the user types them ("/docs/report.pdf", "docs/a"),
 * resolved to nodes with clear messages, and folders created on the way.
 */
import { FerryError, normalizeWorkspacePath, resolvePath, splitWorkspacePath, type FerryNode } from '@ferry/core';
import type { WorkspaceConnection } from './connection.js';

/** The node at `path`; a missing node says which path was asked for. */
export async function resolveRemote(connection: WorkspaceConnection, path: string): Promise<FerryNode> {
  const normalized = normalizeWorkspacePath(path);
  try {
    const node = await resolvePath(connection.client, connection.workspace.id, normalized);
    return { ...node, path: node.path ?? normalized };
  } catch (error) {
    if (error instanceof FerryError && error.status === 404 && error.code !== 'workspace_not_found') {
      throw new FerryError(error.code, `Nothing at ${normalized} in the workspace "${connection.workspace.name}".`, error.details);
    }
    throw error;
  }
}

/** Like `resolveRemote`, but null when nothing is there. */
export async function findRemote(connection: WorkspaceConnection, path: string): Promise<FerryNode | null> {
  try {
    return await resolveRemote(connection, path);
  } catch (error) {
    if (error instanceof FerryError && error.status === 404 && error.code !== 'workspace_not_found') return null;
    throw error;
  }
}

export async function resolveFolder(connection: WorkspaceConnection, path: string): Promise<FerryNode> {
  const node = await resolveRemote(connection, path);
  if (node.kind !== 'folder') throw new FerryError('not_a_folder', `${node.path ?? path} is a file, not a folder.`);
  return node;
}

/** Joins a workspace folder path and a name. */
export function joinRemote(folder: string, name: string): string {
  return normalizeWorkspacePath(`${folder}/${name}`);
}

/**
 * Creates the folders of a path that do not exist yet (like `mkdir -p`), and
 * remembers the ids it has seen so a tree of uploads asks once per folder.
 */
export class FolderMaker {
  private readonly known = new Map<string, FerryNode>();

  constructor(private readonly connection: WorkspaceConnection) {}

  remember(path: string, node: FerryNode): void {
    this.known.set(normalizeWorkspacePath(path), node);
  }

  async ensure(path: string): Promise<{ node: FerryNode; created: boolean }> {
    const normalized = normalizeWorkspacePath(path);
    const cached = this.known.get(normalized);
    if (cached) return { node: cached, created: false };
    const existing = await findRemote(this.connection, normalized);
    if (existing) {
      if (existing.kind !== 'folder') throw new FerryError('not_a_folder', `${normalized} is a file, not a folder.`);
      this.known.set(normalized, existing);
      return { node: existing, created: false };
    }
    const split = splitWorkspacePath(normalized);
    if (split === null) throw new FerryError('internal', 'The root folder cannot be missing.');
    const { node: parent } = await this.ensure(split.parent);
    const node = await this.createIn(parent, split.name, normalized);
    this.known.set(normalized, node.node);
    return node;
  }

  private async createIn(parent: FerryNode, name: string, path: string): Promise<{ node: FerryNode; created: boolean }> {
    try {
      const node = await this.connection.client.call('createFolder', { params: { nodeId: parent.id }, body: { name } });
      return { node: { ...node, path: node.path ?? path }, created: true };
    } catch (error) {
      // Someone else made it meanwhile: use theirs if it is a folder.
      if (error instanceof FerryError && error.code === 'name_conflict') {
        const existing = await resolveRemote(this.connection, path);
        if (existing.kind === 'folder') return { node: existing, created: false };
        throw new FerryError('not_a_folder', `${path} is a file, not a folder.`);
      }
      throw error;
    }
  }
}
