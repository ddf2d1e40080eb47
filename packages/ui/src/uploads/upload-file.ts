/**
 * @module uploads/upload-file
 * Uploads one file into a folder by name (`putFileByName`) with
 * XMLHttpRequest, whose upload events report progress as bytes leave (fetch
 * cannot). A file that exists gets a new version.
 */
import { csrfHeaderName, errorFromResponse, FerryError, fillPath, nodeSchema, routes, type FerryClient, type FerryNode } from '@ferry/core';

export interface UploadFileInput {
  folderId: string;
  name: string;
  file: Blob;
  onProgress(loaded: number, total: number): void;
}

export function uploadFile(client: FerryClient, input: UploadFileInput): Promise<FerryNode> {
  const url = client.baseUrl + fillPath(routes.putFileByName.path, { nodeId: input.folderId, name: input.name });
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(routes.putFileByName.method, url);
    request.setRequestHeader(csrfHeaderName, '1');
    request.setRequestHeader('content-type', 'application/octet-stream');
    request.setRequestHeader('accept', 'application/json');
    request.upload.onprogress = (event) => input.onProgress(event.loaded, event.lengthComputable ? event.total : input.file.size);
    request.onload = () => {
      const answer = new Response(request.responseText, { status: request.status, statusText: request.statusText });
      if (!answer.ok) {
        errorFromResponse(answer).then(reject, reject);
        return;
      }
      try {
        const parsed = nodeSchema.safeParse(JSON.parse(request.responseText));
        if (parsed.success) {
          input.onProgress(input.file.size, input.file.size);
          resolve(parsed.data);
          return;
        }
      } catch {
        // not JSON: reported below
      }
      reject(new FerryError('internal', 'The server accepted the upload but its answer was not understood.'));
    };
    request.onerror = () => reject(new FerryError('unavailable', 'The upload was interrupted: the server could not be reached.'));
    request.send(input.file);
  });
}
