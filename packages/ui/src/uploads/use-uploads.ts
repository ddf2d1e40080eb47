/**
 * @module uploads/use-uploads
 * The upload queue of the file browser: each file's progress and outcome,
 * a few uploads at a time, and the sub-folders of an uploaded folder created
 * on the way (an existing folder of the same name is reused).
 */
import { useCallback, useRef, useState } from 'react';
import type { FerryClient } from '@ferry/core';
import { describeError, errorCode } from '../api/describe-error.js';
import { joinPath } from '../format.js';
import type { PendingFile } from './collect-dropped-files.js';
import { uploadFile } from './upload-file.js';

export type UploadStatus = 'queued' | 'uploading' | 'done' | 'failed';

export interface UploadItem {
  id: string;
  relativePath: string;
  size: number;
  loaded: number;
  status: UploadStatus;
  error: string | null;
}

export interface UploadTarget {
  workspaceId: string;
  folderId: string;
  /** Absolute path of the folder, "/" for the root. */
  folderPath: string;
}

const parallelUploads = 3;
let nextUploadId = 0;

export function useUploads(client: FerryClient, onFileUploaded: (folderId: string) => void) {
  const [items, setItems] = useState<UploadItem[]>([]);
  const folderIds = useRef(new Map<string, Promise<string>>());

  const update = useCallback((id: string, change: Partial<UploadItem>) => {
    setItems((previous) => previous.map((item) => (item.id === id ? { ...item, ...change } : item)));
  }, []);

  /** The id of folder `path` (absolute), creating the missing ones below `target`. */
  const ensureFolder = useCallback(
    (target: UploadTarget, segments: string[]): Promise<string> => {
      if (segments.length === 0) return Promise.resolve(target.folderId);
      const path = segments.reduce(joinPath, target.folderPath);
      const known = folderIds.current.get(path);
      if (known !== undefined) return known;
      const created = (async () => {
        const parentId = await ensureFolder(target, segments.slice(0, -1));
        const name = segments[segments.length - 1] ?? '';
        try {
          const folder = await client.call('createFolder', { params: { nodeId: parentId }, body: { name } });
          return folder.id;
        } catch (error) {
          if (errorCode(error) !== 'name_conflict') throw error;
          const existing = await client.call('resolvePath', { params: { workspaceId: target.workspaceId }, query: { path } }).catch(() => null);
          if (existing?.kind === 'folder') return existing.id;
          throw error;
        }
      })();
      folderIds.current.set(path, created);
      created.catch(() => folderIds.current.delete(path));
      return created;
    },
    [client],
  );

  const start = useCallback(
    (files: PendingFile[], target: UploadTarget) => {
      if (files.length === 0) return;
      const queued = files.map((pending) => ({
        pending,
        item: {
          id: `upload-${(nextUploadId += 1)}`,
          relativePath: pending.relativePath,
          size: pending.file.size,
          loaded: 0,
          status: 'queued' as const,
          error: null,
        },
      }));
      setItems((previous) => [...previous, ...queued.map(({ item }) => item)]);
      folderIds.current.clear();
      const runOne = async ({ pending, item }: (typeof queued)[number]) => {
        const segments = pending.relativePath.split('/').filter((segment) => segment !== '');
        const name = segments.pop() ?? pending.file.name;
        update(item.id, { status: 'uploading' });
        try {
          const folderId = await ensureFolder(target, segments);
          await uploadFile(client, {
            folderId,
            name,
            file: pending.file,
            onProgress: (loaded) => update(item.id, { loaded }),
          });
          update(item.id, { status: 'done', loaded: pending.file.size });
          onFileUploaded(folderId);
        } catch (error) {
          update(item.id, { status: 'failed', error: describeError(error) });
        }
      };

      const queue = [...queued];
      const worker = async () => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) await runOne(next);
      };
      void Promise.all(Array.from({ length: Math.min(parallelUploads, queue.length) }, worker));
    },
    [client, ensureFolder, onFileUploaded, update],
  );

  const clearFinished = useCallback(() => setItems((previous) => previous.filter((item) => item.status === 'queued' || item.status === 'uploading')), []);

  return { items, start, clearFinished };
}
