// Monaco, set up once: workers bundled with the app (no CDN), themes that follow the system.
import * as monaco from 'monaco-editor';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';

let configured = false;

function configure(): void {
  if (configured) return;
  configured = true;
  // Only the base editor worker: our languages (diff, GAS, mail) are Monarch grammars without language services.
  (self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
    getWorker: () => new EditorWorker(),
  };
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  const apply = () => monaco.editor.setTheme(media.matches ? 'vs-dark' : 'vs');
  media.addEventListener('change', apply);
  apply();
}

export type Editor = monaco.editor.IStandaloneCodeEditor;

export function createEditor(host: HTMLElement, text: string, language = 'plaintext'): Editor {
  configure();
  return monaco.editor.create(host, {
    value: text,
    language,
    readOnly: true,
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: 13,
    lineNumbersMinChars: 4,
    scrollBeyondLastLine: false,
    renderWhitespace: 'selection',
    wordWrap: 'off',
    // Mail text is data, never links to follow or markup to render.
    links: false,
    unicodeHighlight: { ambiguousCharacters: true, invisibleCharacters: true },
  });
}

export { monaco };
