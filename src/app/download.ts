/** Saves text or a Blob as a file through a temporary link (the one download helper of the app). */
export function downloadFile(name: string, content: string | Blob, type = 'application/octet-stream'): void {
  const blob = typeof content === 'string' ? new Blob([content], { type }) : content;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // the download has started by now; keep the URL a little longer for slow browsers
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** A file-name-safe version of a run name. */
export function safeFileName(name: string): string {
  return name.replace(/[^\w-]+/g, '_');
}
