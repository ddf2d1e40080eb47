/**
 * @module components/node-icon
 * A small folder or file glyph drawn as inline SVG (no icon font, no emoji
 * font needed), hidden from assistive technology.
 */
import type { NodeKind } from '@ferry/core';

export function NodeIcon({ kind }: { kind: NodeKind }) {
  return (
    <svg className={`node-icon node-icon-${kind}`} viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false">
      {kind === 'folder' ? (
        <path d="M2 5.5A1.5 1.5 0 0 1 3.5 4h4l2 2h7A1.5 1.5 0 0 1 18 7.5v7a1.5 1.5 0 0 1-1.5 1.5h-13A1.5 1.5 0 0 1 2 14.5z" />
      ) : (
        <path d="M5 2.5h6.5L15.5 6.5v11a.5.5 0 0 1-.5.5H5a.5.5 0 0 1-.5-.5v-14.5a.5.5 0 0 1 .5-.5zM11 3v4h4" />
      )}
    </svg>
  );
}
