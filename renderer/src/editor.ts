// Monaco, set up once: workers bundled with the app (no CDN), our grammars, themes that follow the system.
import { monaco } from './monaco.js';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import { GAS_LANGUAGE, MAIL_LANGUAGE, PATCH_LANGUAGE, gasGrammar, mailGrammar, patchGrammar, themeRules } from './languages.js';

let configured = false;

function configure(): void {
  if (configured) return;
  configured = true;
  // Only the base editor worker (it also computes the diff editor's diffs): our languages have no services.
  (self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
    getWorker: () => new EditorWorker(),
  };
  for (const [id, grammar] of [
    [PATCH_LANGUAGE, patchGrammar()],
    [GAS_LANGUAGE, gasGrammar()],
    [MAIL_LANGUAGE, mailGrammar()],
  ] as const) {
    monaco.languages.register({ id });
    monaco.languages.setMonarchTokensProvider(id, grammar);
  }
  monaco.editor.defineTheme('eb-light', { base: 'vs', inherit: true, rules: themeRules('light'), colors: {} });
  monaco.editor.defineTheme('eb-dark', {
    base: 'vs-dark',
    inherit: true,
    rules: themeRules('dark'),
    colors: { 'editor.background': '#1e1e1e' },
  });
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  const apply = () => monaco.editor.setTheme(media.matches ? 'eb-dark' : 'eb-light');
  media.addEventListener('change', apply);
  apply();
}

export type Editor = monaco.editor.IStandaloneCodeEditor;
export type DiffEditor = monaco.editor.IStandaloneDiffEditor;

const common: monaco.editor.IEditorOptions = {
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
  stickyScroll: { enabled: false },
  contextmenu: true,
  occurrencesHighlight: 'off',
  renderLineHighlight: 'line',
  fixedOverflowWidgets: true,
  guides: { indentation: false },
};

export function createEditor(host: HTMLElement, text: string, language = 'plaintext', options: monaco.editor.IStandaloneEditorConstructionOptions = {}): Editor {
  configure();
  return monaco.editor.create(host, { value: text, language, ...common, ...options });
}

export function createDiffEditor(host: HTMLElement): DiffEditor {
  configure();
  return monaco.editor.createDiffEditor(host, {
    ...common,
    originalEditable: false,
    renderSideBySide: true,
    ignoreTrimWhitespace: false,
    renderOverviewRuler: true,
    diffWordWrap: 'off',
  });
}

/** The language for a whole file shown on its own (before/after view, trace source). */
export function languageForPath(path: string): string {
  if (/\.(S|s|asm)$/.test(path)) return GAS_LANGUAGE;
  if (/\.(c|h)$/.test(path)) return 'c';
  return 'plaintext';
}

export { monaco };
