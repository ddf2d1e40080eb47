/**
 * @module uploads/collect-dropped-files
 * The files of a drop or a folder picker, each with its path relative to the
 * drop (`photos/2024/a.jpg`). Dropped folders are walked through
 * `DataTransferItem.webkitGetAsEntry()`; items without an entry fall back to
 * their plain file.
 */

export interface PendingFile {
  file: File;
  /** Slash-separated, ending in the file's name. */
  relativePath: string;
}

function readAllEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    const readBatch = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) return resolve(all);
        all.push(...batch);
        readBatch();
      }, reject);
    readBatch();
  });
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function walk(entry: FileSystemEntry, prefix: string, into: PendingFile[]): Promise<void> {
  const relativePath = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
  if (entry.isFile) {
    into.push({ file: await fileOf(entry as FileSystemFileEntry), relativePath });
  } else if (entry.isDirectory) {
    const children = await readAllEntries((entry as FileSystemDirectoryEntry).createReader());
    for (const child of children) await walk(child, relativePath, into);
  }
}

/** Must be called during the drop event: the items are only readable then. */
export function collectDroppedFiles(dataTransfer: DataTransfer): Promise<PendingFile[]> {
  const entries: FileSystemEntry[] = [];
  const loose: File[] = [];
  for (const item of Array.from(dataTransfer.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry();
    if (entry !== null) {
      entries.push(entry);
    } else {
      const file = item.getAsFile();
      if (file !== null) loose.push(file);
    }
  }
  return (async () => {
    const collected: PendingFile[] = loose.map((file) => ({ file, relativePath: file.name }));
    for (const entry of entries) await walk(entry, '', collected);
    return collected;
  })();
}

/** Files from an `<input type="file">`, with or without `webkitdirectory`. */
export function filesFromInput(files: FileList | null): PendingFile[] {
  return Array.from(files ?? []).map((file) => ({
    file,
    relativePath: file.webkitRelativePath !== '' ? file.webkitRelativePath : file.name,
  }));
}
