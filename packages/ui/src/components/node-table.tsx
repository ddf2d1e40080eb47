/**
 * @module components/node-table
 * The listing of a folder: folders (links into them) and files (download
 * links), with size, last change and one button per action, each named for
 * its item ("Rename report.pdf") so assistive technology and tests can find it.
 */
import type { FerryNode } from '@ferry/core';
import { useApi } from '../hooks/use-api.js';
import { useLinkClick } from '../hooks/use-location.js';
import { NodeIcon } from './node-icon.js';
import { folderHref, formatBytes, formatDateTime, joinPath } from '../format.js';

export type NodeAction = 'rename' | 'move' | 'versions' | 'share' | 'delete';

const actionLabels: Record<NodeAction, string> = {
  rename: 'Rename',
  move: 'Move',
  versions: 'Versions',
  share: 'Share',
  delete: 'Delete',
};

export interface NodeTableProps {
  folderPath: string;
  nodes: FerryNode[];
  onAction(action: NodeAction, node: FerryNode): void;
}

export function NodeTable({ folderPath, nodes, onAction }: NodeTableProps) {
  const client = useApi();
  const onLinkClick = useLinkClick();
  return (
    <table className="table node-table" aria-label="Folder contents">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col" className="numeric">
            Size
          </th>
          <th scope="col">Changed</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {nodes.map((node) => {
          const actions: NodeAction[] = node.kind === 'file' ? ['rename', 'move', 'versions', 'share', 'delete'] : ['rename', 'move', 'delete'];
          return (
            <tr key={node.id}>
              <td className="node-name">
                <NodeIcon kind={node.kind} />
                {node.kind === 'folder' ? (
                  <a href={folderHref(joinPath(folderPath, node.name))} onClick={onLinkClick}>
                    {node.name}
                  </a>
                ) : (
                  <a href={client.url('getFileContent', { params: { nodeId: node.id } })} download={node.name}>
                    {node.name}
                  </a>
                )}
              </td>
              <td className="numeric">{node.kind === 'file' ? formatBytes(node.size) : '—'}</td>
              <td>{formatDateTime(node.updatedAt)}</td>
              <td className="row-actions">
                {actions.map((action) => (
                  <button
                    key={action}
                    type="button"
                    className={action === 'delete' ? 'button-small button-danger' : 'button-small'}
                    aria-label={`${actionLabels[action]} ${node.name}`}
                    onClick={() => onAction(action, node)}
                  >
                    {actionLabels[action]}
                  </button>
                ))}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
