import { describe, expect, it } from 'vitest';
import { parsePatchBody } from '../../../workspaces/review/patch-body.js';
import { quoteLine, quoteWithComments, wrapComment } from '../../../workspaces/review/quote.js';
import { renderEvidence } from '../../../workspaces/review/evidence.js';

const added = Array.from({ length: 30 }, (_, i) => `+\tmovq\t%r${i % 8}, ${i * 8}(%rsp)`);
const BODY = [
  'Save the registers in order.',
  '',
  'Signed-off-by: A <a@example.org>',
  '---',
  ' arch/x86/entry/entry_64.S | 30 ++++++++++++++++++++++++++++++',
  ' 1 file changed, 30 insertions(+)',
  '',
  'diff --git a/arch/x86/entry/entry_64.S b/arch/x86/entry/entry_64.S',
  'index 1111111..2222222 100644',
  '--- a/arch/x86/entry/entry_64.S',
  '+++ b/arch/x86/entry/entry_64.S',
  '@@ -10,2 +10,32 @@ SYM_CODE_START(entry_SYSCALL_64)',
  ' \tswapgs',
  ...added,
  ' \tpushq\t%rax',
  '-- ',
  '2.39.5',
  '',
].join('\n');
const body = parsePatchBody(BODY);
const lineOfNew = (n: number) => body.files[0].hunks[0].lines.find((l) => l.newLine === n)?.bodyLine as number;

describe('quoting with comments', () => {
  it('quotes at most maxContext lines of a long hunk above a comment, with [...] for the rest', () => {
    const out = quoteWithComments(body.lines, body, [{ after: lineOfNew(30), text: 'Why %r3 twice?' }], { maxContext: 4 });
    expect(out).toEqual([
      '[...]',
      '> diff --git a/arch/x86/entry/entry_64.S b/arch/x86/entry/entry_64.S',
      '> index 1111111..2222222 100644',
      '> --- a/arch/x86/entry/entry_64.S',
      '> +++ b/arch/x86/entry/entry_64.S',
      '> @@ -10,2 +10,32 @@ SYM_CODE_START(entry_SYSCALL_64)',
      '[...]',
      `> ${added[16]}`,
      `> ${added[17]}`,
      `> ${added[18]}`,
      `> ${added[19]}`,
      '',
      'Why %r3 twice?',
    ]);
  });

  it('quotes straight on between two comments in one hunk, and keeps both comments on one line in order', () => {
    const out = quoteWithComments(body.lines, body, [
      { after: lineOfNew(12), text: 'first' },
      { after: lineOfNew(12), text: 'second, same line' },
      { after: lineOfNew(14), text: 'third' },
    ]);
    const i = out.indexOf('first');
    expect(out.slice(i - 1)).toEqual(['', 'first', '', 'second, same line', '', `> ${added[2]}`, `> ${added[3]}`, '', 'third']);
  });

  it('quotes the paragraph up to a comment, quoted text once more with ">", and no bare ">" under a comment', () => {
    const lines = ['Hi,', '', '> On Mon, you wrote:', '>> nested', '', 'more'];
    const out = quoteWithComments(lines, null, [{ after: 3, text: 'c1' }, { after: 5, text: 'ok' }], { maxContext: 10 });
    expect(out).toEqual(['[...]', '>> On Mon, you wrote:', '>>> nested', '', 'c1', '', '> more', '', 'ok']);
    expect(quoteLine('')).toBe('>');
    expect(quoteLine('>x')).toBe('>>x');
    expect(quoteLine(' \tcode')).toBe('>  \tcode');
  });

  it('wraps comment prose at 72 but leaves indented code and long words alone', () => {
    const text = `${'word '.repeat(20)}\n    if (regs->cx != regs->ip) return false; /* this indented line is longer than seventy-two */\nhttps://lore.kernel.org/all/${'x'.repeat(80)}/`;
    const out = wrapComment(text, 72);
    expect(out[0].length).toBeLessThanOrEqual(72);
    expect(out).toContain('    if (regs->cx != regs->ip) return false; /* this indented line is longer than seventy-two */');
    expect(out.at(-1)).toBe(`https://lore.kernel.org/all/${'x'.repeat(80)}/`);
    expect(wrapComment(text, false)[0]).toBe('word '.repeat(20).trimEnd());
  });
});

describe('evidence block', () => {
  it('says what the walk found in plain lines, with walk comments under what they are about', () => {
    const lines = renderEvidence(
      {
        base: { description: 'v6.12', commit: 'adc218676eef25575469234709c2d87185ca223a' },
        firstBad: { index: 7, subject: 'x86/entry/64: Always run ptregs-using syscalls on the slow path', commit: '0123456789abcdef' },
        fixedBy: { index: 9, subject: 'x86/entry/64: Call all native slow-path syscalls with full pt_regs' },
        failures: [{ scenario: 'boot', description: 'boots to /init', expected: 'init runs', seen: 'kernel BUG at kernel/auditsc.c:1504!', details: ['RIP: 0010:__audit_syscall_entry+0xcd/0xf0'] }],
        oops: ['[   32.675319] kernel BUG at kernel/auditsc.c:1504!', '[   32.675325] invalid opcode: 0000 [#65] SMP'],
        selftests: ['not ok 1 selftests: x86: sysret_rip_64 # exit=139'],
        config: { name: 'tinyconfig + entry-debug', options: ['CONFIG_AUDITSYSCALL=y'] },
        reproduce: ['entrybench walk --tree ~/linux ptregs.mbox'],
      },
      12,
      [
        { step: 9, scenario: null, text: 'So the bug only exists part-way through the series.' },
        { step: null, scenario: 'boot', text: 'Same oops as Brian reported.' },
      ],
    );
    expect(lines.join('\n')).toBe(
      [
        'Applied on: v6.12 (adc218676eef)',
        'First bad patch: 07/12 ("x86/entry/64: Always run ptregs-using syscalls on the slow path") at 0123456789ab',
        'Passes again from: 09/12 ("x86/entry/64: Call all native slow-path syscalls with full pt_regs")',
        '',
        'So the bug only exists part-way through the series.',
        '',
        'Failing check: boot (boots to /init)',
        '  expected: init runs',
        '  seen:     kernel BUG at kernel/auditsc.c:1504!',
        '  RIP: 0010:__audit_syscall_entry+0xcd/0xf0',
        '',
        'Same oops as Brian reported.',
        '',
        'Oops:',
        '  [   32.675319] kernel BUG at kernel/auditsc.c:1504!',
        '  [   32.675325] invalid opcode: 0000 [#65] SMP',
        '',
        'Failing selftests:',
        '  not ok 1 selftests: x86: sysret_rip_64 # exit=139',
        '',
        'Config: tinyconfig + entry-debug',
        '  CONFIG_AUDITSYSCALL=y',
        '',
        'To reproduce:',
        '  entrybench walk --tree ~/linux ptregs.mbox',
      ].join('\n'),
    );
  });
});
