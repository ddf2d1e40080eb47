/**
 * @module components/upload-buttons
 * "Upload files" and "Upload folder" (a `webkitdirectory` picker): labelled
 * file inputs styled as buttons.
 */
import type { ChangeEvent } from 'react';
import { filesFromInput, type PendingFile } from '../uploads/collect-dropped-files.js';

/** React has no typed prop for `webkitdirectory`; set the attribute on the element. */
function markAsFolderPicker(input: HTMLInputElement | null): void {
  input?.setAttribute('webkitdirectory', '');
}

export function UploadButtons({ onFiles }: { onFiles(files: PendingFile[]): void }) {
  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    onFiles(filesFromInput(event.target.files));
    event.target.value = '';
  };
  return (
    <>
      <label className="button file-button">
        Upload files
        <input type="file" multiple className="visually-hidden" onChange={onChange} />
      </label>
      <label className="button file-button">
        Upload folder
        <input type="file" multiple ref={markAsFolderPicker} className="visually-hidden" onChange={onChange} />
      </label>
    </>
  );
}
