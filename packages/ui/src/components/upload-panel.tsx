/**
 * @module components/upload-panel
 * Each file being uploaded with its progress bar and outcome.
 */
import { formatBytes } from '../format.js';
import type { UploadItem } from '../uploads/use-uploads.js';

function statusText(item: UploadItem): string {
  switch (item.status) {
    case 'queued':
      return 'Waiting';
    case 'uploading':
      return `${formatBytes(item.loaded)} of ${formatBytes(item.size)}`;
    case 'done':
      return 'Done';
    case 'failed':
      return `Failed: ${item.error ?? 'unknown error'}`;
  }
}

export function UploadPanel({ items, onClear }: { items: UploadItem[]; onClear(): void }) {
  if (items.length === 0) return null;
  const finished = items.filter((item) => item.status === 'done').length;
  const failed = items.filter((item) => item.status === 'failed').length;
  const active = items.length - finished - failed;
  return (
    <section aria-label="Uploads" className="panel uploads">
      <header className="panel-header">
        <h2>Uploads</h2>
        <p role="status" aria-live="polite">
          {active > 0 ? `Uploading ${active} of ${items.length} files…` : `${finished} uploaded${failed > 0 ? `, ${failed} failed` : ''}`}
        </p>
        <button type="button" className="button-quiet" onClick={onClear} disabled={active === items.length}>
          Clear finished
        </button>
      </header>
      <ul className="upload-list">
        {items.map((item) => (
          <li key={item.id} className={`upload upload-${item.status}`} data-testid="upload-item">
            <span className="upload-name">{item.relativePath}</span>
            <progress
              aria-label={`Upload of ${item.relativePath}`}
              max={Math.max(item.size, 1)}
              value={item.status === 'done' ? Math.max(item.size, 1) : item.loaded}
            />
            <span className="upload-status">{statusText(item)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
