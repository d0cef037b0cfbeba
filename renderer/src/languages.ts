// Monarch grammars for what reviewers read: patch mail (diff with AT&T/GAS highlighting inside .S hunks and
// C inside .c/.h hunks), GAS source files, and plain mail with quotes and trailers.
import type { monaco } from './monaco.js';

type Grammar = monaco.languages.IMonarchLanguage;

type Rule = monaco.languages.IMonarchLanguageRule;

export const PATCH_LANGUAGE = 'eb-patch';
export const GAS_LANGUAGE = 'eb-gas';
export const MAIL_LANGUAGE = 'eb-mail';

const TRAILERS =
  /^(Signed-off-by|Reviewed-by|Acked-by|Tested-by|Reported-by|Suggested-by|Co-developed-by|Fixes|Link|Closes|Cc|Requested-by|Reported-and-tested-by):/;

const C_KEYWORDS = [
  'auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double', 'else', 'enum', 'extern', 'float', 'for',
  'goto', 'if', 'inline', 'int', 'long', 'register', 'restrict', 'return', 'short', 'signed', 'sizeof', 'static', 'struct',
  'switch', 'typedef', 'union', 'unsigned', 'void', 'volatile', 'while', 'bool', 'true', 'false', 'asm', '__always_inline',
  'noinstr', '__visible', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'unsigned', 'likely', 'unlikely',
];

type Home = 'asm' | 'c' | 'h' | 'plain';

/** Where a new file's hunks go: .S to the GAS rules, .c to C, .h to C with assembler lines recognised. */
const FILE_START: Rule[] = [
  [/^diff --git .*\.(S|s|asm)"?$/, { token: 'diff.file', next: '@asm' }],
  [/^diff --git .*\.c"?$/, { token: 'diff.file', next: '@c' }],
  [/^diff --git .*\.h"?$/, { token: 'diff.file', next: '@h' }],
  [/^diff --git .*$/, { token: 'diff.file', next: '@plain' }],
];

/** Rules that start a diff line, for any file kind: they also switch grammar when the next file begins. */
function diffLineStart(home: Home): Rule[] {
  const body = home === 'plain' ? '@plainBody' : `@${home}Start`;
  return [
    ...FILE_START,
    [/^(index|new file mode|deleted file mode|similarity index|dissimilarity index|rename from|rename to|copy from|copy to|old mode|new mode|Binary files|GIT binary patch) ?.*$/, { token: 'diff.meta', next: `@${home}` }],
    [/^(---|\+\+\+) .*$/, { token: 'diff.meta', next: `@${home}` }],
    [/^(@@[^@]*@@)(.*)$/, [{ token: 'diff.hunk', next: `@${home}` }, 'diff.section']],
    [/^-- $/, { token: 'signature', next: '@signature' }],
    [/^\+/, { token: 'diff.add', next: body }],
    [/^-/, { token: 'diff.del', next: body }],
    [/^[ \\]/, { token: 'diff.context', next: body }],
  ];
}

/** GAS rules as states `${name}Start/Ops/Comment`; each new diff line goes back to `home`'s rules. */
function asmStates(name: string, home: Home): Record<string, Rule[]> {
  const common: Rule[] = [
    [/\/\*/, { token: 'comment', next: `@${name}Comment` }],
    [/\/\/.*$/, 'comment'],
    [/"([^"\\]|\\.)*"/, 'string'],
    [/%[a-z][a-z0-9]*/, 'asm.register'],
    [/\$-?(0x[0-9a-fA-F]+|\d+|[A-Za-z_.][\w.]*)/, 'asm.immediate'],
    [/\b0x[0-9a-fA-F]+\b|\b\d+[fb]?\b/, 'number'],
    [/\\\w+/, 'asm.macro-arg'],
    [/[A-Z_][A-Z0-9_]{2,}\b/, 'asm.macro'],
    [/[;]/, { token: 'delimiter', next: `@${name}Start` }],
  ];
  return {
    [`${name}Start`]: [
      ...diffLineStart(home),
      [/\s+/, ''],
      [/#\s*\w+.*$/, 'keyword.preproc'],
      [/[.\w]+:/, 'asm.label'],
      [/\.[a-zA-Z_]\w*/, { token: 'asm.directive', next: `@${name}Ops` }],
      [/[a-z][a-z0-9]*\b/, { token: 'asm.mnemonic', next: `@${name}Ops` }],
      [/[A-Z_][A-Z0-9_]*/, { token: 'asm.macro', next: `@${name}Ops` }],
      ...common,
    ],
    [`${name}Ops`]: [...diffLineStart(home), ...common, [/[A-Za-z_.][\w.]*/, 'identifier']],
    [`${name}Comment`]: [
      [/^[+\- ]/, 'diff.prefix'],
      [/\*\//, { token: 'comment', next: `@${name}Ops` }],
      [/[^*]+/, 'comment'],
      [/\*/, 'comment'],
    ],
  };
}

/** C rules as states `${name}Start/Comment`. */
function cStates(name: string, home: Home): Record<string, Rule[]> {
  const code: Rule[] = [
    [/\/\*/, { token: 'comment', next: `@${name}Comment` }],
    [/\/\/.*$/, 'comment'],
    [/"([^"\\]|\\.)*"/, 'string'],
    [/'([^'\\]|\\.)'/, 'string'],
    [/\b0x[0-9a-fA-F]+[uUlL]*\b|\b\d+[uUlL]*\b/, 'number'],
    [/[A-Z_][A-Z0-9_]{2,}\b/, 'c.macro'],
    [/[a-zA-Z_]\w*(?=\s*\()/, { cases: { '@cKeywords': 'keyword', '@default': 'c.function' } }],
    [/[a-zA-Z_]\w*/, { cases: { '@cKeywords': 'keyword', '@default': 'identifier' } }],
  ];
  return {
    [`${name}Start`]: [...diffLineStart(home), [/\s*#\s*\w+.*$/, 'keyword.preproc'], ...code],
    [`${name}Comment`]: [
      [/^[+\- ]/, 'diff.prefix'],
      [/\*\//, { token: 'comment', next: `@${name}Start` }],
      [/[^*]+/, 'comment'],
      [/\*/, 'comment'],
    ],
  };
}

/**
 * A line of a header that reads as assembler (kernel headers such as calling.h hold the entry macros):
 * an assembler directive, or a mnemonic followed by a register, immediate or memory operand.
 */
const ASM_LINE_IN_HEADER =
  /\s*(?=\.(?:macro|endm|if|ifb|ifnb|ifc|else|elseif|endif|irp|rept|endr|set|long|quad|byte|word|section|pushsection|popsection|align|balign)\b|(?:push|pop|mov|lea|add|sub|and|or|xor|cmp|test|call|jmp|j[a-z]{1,3}|ret|swapgs|sysret|iret|inc|dec|shl|shr|sar|bt|not|neg|cli|sti|xchg|cmov[a-z]+|sysexit|sysenter|lfence|mfence|pause|ud2|int3?)[bwlq]?\s+[%$(\-0-9A-Za-z_*]|[a-z]+[bwlq]?\s+%)/;

function headerStates(): Record<string, Rule[]> {
  const c = cStates('hC', 'h');
  return {
    h: [...diffLineStart('h')],
    hStart: [...diffLineStart('h'), [ASM_LINE_IN_HEADER, { token: '', next: '@hAsmStart' }], ...c.hCStart.slice(diffLineStart('h').length)],
    hCComment: c.hCComment,
    hCStart: c.hCStart,
    ...asmStates('hAsm', 'h'),
  };
}

function asmRules(): Record<string, Rule[]> {
  return { asm: [...diffLineStart('asm')], ...asmStates('asm', 'asm') };
}

function cRules(): Record<string, Rule[]> {
  return { c: [...diffLineStart('c')], ...cStates('c', 'c') };
}

/** Message text: headers we show above the body, trailers, quotes, the diffstat and the "---" line. */
const messageRules: Rule[] = [
  ...FILE_START,
  [/^(From|Date|Subject|To|Cc|Message-ID|In-Reply-To|References|Reply-To):/, { token: 'mail.header', next: '@headerValue' }],
  [TRAILERS, 'mail.trailer'],
  [/^>\s?>\s?>.*$/, 'mail.quote3'],
  [/^>\s?>.*$/, 'mail.quote2'],
  [/^>.*$/, 'mail.quote1'],
  [/^---$/, 'delimiter'],
  [/^ \S.*\|\s+(\d+ ?[+-]*|Bin.*)$/, 'diff.stat'],
  [/^ \d+ files? changed.*$/, 'diff.stat'],
  [/^base-commit: .*$/, 'diff.meta'],
  [/^-- $/, { token: 'signature', next: '@signature' }],
];

/** The patch-mail grammar: message rules until the first "diff --git", then per-file grammars. */
export function patchGrammar(): Grammar {
  return {
    defaultToken: '',
    tokenPostfix: '.patch',
    cKeywords: C_KEYWORDS,
    tokenizer: {
      root: messageRules,
      headerValue: [[/.*$/, { token: 'mail.header-value', next: '@root' }]],
      plain: [...diffLineStart('plain')],
      plainBody: [...diffLineStart('plain'), [/.*$/, '']],
      ...asmRules(),
      ...cRules(),
      ...headerStates(),
      signature: [...FILE_START, [/.*$/, 'signature']],
    },
  };
}

/** A whole GAS source file (the before/after view of a .S file): the same tokens, recognised per line. */
export function gasGrammar(): Grammar {
  return {
    defaultToken: '',
    tokenPostfix: '.gas',
    tokenizer: {
      root: [
        [/^\s*#\s*\w+.*$/, 'keyword.preproc'],
        [/^\s*[.\w]+:/, 'asm.label'],
        [/^\s*\.[a-zA-Z_]\w*/, 'asm.directive'],
        [/^\s*[a-z][a-z0-9]*\b/, 'asm.mnemonic'],
        [/^\s*[A-Z_][A-Z0-9_]*/, 'asm.macro'],
        [/\/\*/, { token: 'comment', next: '@comment' }],
        [/\/\/.*$/, 'comment'],
        [/"([^"\\]|\\.)*"/, 'string'],
        [/%[a-z][a-z0-9]*/, 'asm.register'],
        [/\$-?(0x[0-9a-fA-F]+|\d+|[A-Za-z_.][\w.]*)/, 'asm.immediate'],
        [/\b0x[0-9a-fA-F]+\b|\b\d+[fb]?\b/, 'number'],
        [/[A-Z_][A-Z0-9_]{2,}\b/, 'asm.macro'],
        [/[A-Za-z_.][\w.]*/, 'identifier'],
      ],
      comment: [[/\*\//, { token: 'comment', next: '@root' }], [/[^*]+/, 'comment'], [/\*/, 'comment']],
    },
  };
}

/** Mail bodies and reply previews: headers, quote depth, trailers, signature. */
export function mailGrammar(): Grammar {
  return {
    defaultToken: '',
    tokenPostfix: '.mail',
    tokenizer: {
      root: [
        [/^[A-Za-z][\w-]*:(?= )/, { token: 'mail.header', next: '@headerValue' }],
        [/^$/, { token: '', next: '@body' }],
      ],
      headerValue: [[/.*$/, { token: 'mail.header-value', next: '@root' }]],
      body: [
        [TRAILERS, 'mail.trailer'],
        [/^>\s?>\s?>.*$/, 'mail.quote3'],
        [/^>\s?>.*$/, 'mail.quote2'],
        [/^>\s?[+].*$/, 'diff.add'],
        [/^>\s?-(?!-).*$/, 'diff.del'],
        [/^>\s?@@.*$/, 'diff.hunk'],
        [/^>.*$/, 'mail.quote1'],
        [/^On .* wrote:$/, 'mail.attribution'],
        [/^\[\.\.\.\]$/, 'mail.snip'],
        [/^-- $/, { token: 'signature', next: '@signature' }],
      ],
      signature: [[/.*$/, 'signature']],
    },
  };
}

const light = {
  'diff.add': '1a7f37', 'diff.del': 'c62828', 'diff.hunk': '8250df', 'diff.section': '6e7781', 'diff.meta': '57606a',
  'diff.file': '0550ae', 'diff.stat': '57606a', 'mail.header': '0550ae', 'mail.header-value': '24292f', 'mail.trailer': '0a7b83',
  'mail.quote1': '6e7781', 'mail.quote2': '8c6d1f', 'mail.quote3': '7d4e9e', 'mail.attribution': '57606a', 'mail.snip': '8c959f',
  signature: '8c959f', comment: '6a737d', string: '0a3069', number: '0550ae', keyword: 'cf222e', 'keyword.preproc': '8250df',
  'asm.register': '953800', 'asm.immediate': '0550ae', 'asm.directive': '8250df', 'asm.mnemonic': 'cf222e', 'asm.macro': '6639ba',
  'asm.label': '116329', 'asm.macro-arg': '953800', 'c.macro': '6639ba', 'c.function': '8250df', identifier: '24292f', delimiter: '57606a', 'diff.prefix': '8c959f',
};
const dark = {
  'diff.add': '3fb950', 'diff.del': 'f85149', 'diff.hunk': 'bc8cff', 'diff.section': '8b949e', 'diff.meta': '9ea7b3',
  'diff.file': '79c0ff', 'diff.stat': '9ea7b3', 'mail.header': '79c0ff', 'mail.header-value': 'd4d4d4', 'mail.trailer': '56d4dd',
  'mail.quote1': '8b949e', 'mail.quote2': 'c9a26d', 'mail.quote3': 'c297e6', 'mail.attribution': '9ea7b3', 'mail.snip': '6e7681',
  signature: '6e7681', comment: '8b949e', string: 'a5d6ff', number: '79c0ff', keyword: 'ff7b72', 'keyword.preproc': 'd2a8ff',
  'asm.register': 'ffa657', 'asm.immediate': '79c0ff', 'asm.directive': 'd2a8ff', 'asm.mnemonic': 'ff7b72', 'asm.macro': 'd2a8ff',
  'asm.label': '7ee787', 'asm.macro-arg': 'ffa657', 'c.macro': 'd2a8ff', 'c.function': 'd2a8ff', identifier: 'd4d4d4', delimiter: '9ea7b3', 'diff.prefix': '6e7681',
};

/** Token colours for our grammars, light and dark. */
export function themeRules(mode: 'light' | 'dark'): { token: string; foreground: string; fontStyle?: string }[] {
  const colours: Record<string, string> = mode === 'light' ? light : dark;
  return Object.entries(colours).map(([token, foreground]) => ({
    token,
    foreground,
    fontStyle: token === 'diff.file' || token === 'asm.mnemonic' ? 'bold' : token.startsWith('mail.quote') ? 'italic' : undefined,
  }));
}
