// Web mode has no file dialog that yields host paths: upload the files and let the host keep them.
export async function uploadFiles(files: FileList | File[]): Promise<string[]> {
  const paths: string[] = [];
  for (const file of Array.from(files)) {
    const res = await fetch(`/upload?name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: file,
      credentials: 'same-origin',
    });
    if (!res.ok) throw new Error(`Upload of ${file.name} failed: ${res.status} ${(await res.text()).trim()}`);
    const body = (await res.json()) as { path: string };
    paths.push(body.path);
  }
  return paths;
}
