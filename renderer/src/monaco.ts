// Monaco's core with only the parts a read-mostly review tool uses (find, folding, hover, clipboard,
// context menu, the diff editor): a smaller bundle that starts faster than the full editor.
import * as monaco from 'monaco-editor/editor/editor.api.js';
import 'monaco-editor/features/codicon/register.js';
import 'monaco-editor/editor/browser/coreCommands.js';
import 'monaco-editor/features/codeEditor/register.js';
import 'monaco-editor/features/diffEditor/register.js';
import 'monaco-editor/features/find/register.js';
import 'monaco-editor/features/folding/register.js';
import 'monaco-editor/features/hover/register.js';
import 'monaco-editor/features/clipboard/register.js';
import 'monaco-editor/features/contextmenu/register.js';
import 'monaco-editor/features/wordOperations/register.js';
import 'monaco-editor/features/lineSelection/register.js';
import 'monaco-editor/features/bracketMatching/register.js';
import 'monaco-editor/features/unicodeHighlighter/register.js';
import 'monaco-editor/features/readOnlyMessage/register.js';
import 'monaco-editor/languages/definitions/cpp/register.js';

export { monaco };
