// The preload hands the renderer one thing: where the host is and the token to reach it.
import { contextBridge, ipcRenderer } from 'electron';

const address = ipcRenderer.sendSync('entrybench:host-address') as { url: string; token: string } | null;

contextBridge.exposeInMainWorld('entrybench', {
  host: () => (address ? { url: address.url, token: address.token } : null),
});
