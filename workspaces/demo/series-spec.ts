// What the demo series says and who says it: people, dates, the cover letter and the replies.
// The patches themselves (commit message and diff) are the files in series/; make-series.ts turns
// both into series.mbox with git.

export interface Person {
  name: string;
  email: string;
}

export const JONAS: Person = { name: 'Jonas Keller', email: 'jonas.keller@example.org' };
export const TOMASZ: Person = { name: 'Tomasz Wrona', email: 'twrona@example.net' };
export const MIRA: Person = { name: 'Mira Castell', email: 'mira.castell@example.com' };
export const LIST = 'x86-entry@lists.example.org';

export function address(p: Person): string {
  return `${p.name} <${p.email}>`;
}

/** One patch: its file in series/ and when its author committed it. */
export interface PatchSpec {
  file: string;
  authorDate: string;
}

export const PATCHES: PatchSpec[] = [
  { file: '01-document-pt_regs-frame.patch', authorDate: '2024-11-11T16:20:05+01:00' },
  { file: '02-read-syscall_work-once.patch', authorDate: '2024-11-12T09:12:44+01:00' },
  { file: '03-sysret-skip-r11rcx.patch', authorDate: '2024-11-12T11:47:30+01:00' },
  { file: '04-wire-up-sched_yield.patch', authorDate: '2024-11-13T14:03:18+01:00' },
  { file: '05-name-syscall-rflags-mask.patch', authorDate: '2024-11-13T15:31:02+01:00' },
  { file: '06-sysret-checks-in-c.patch', authorDate: '2024-11-14T10:26:51+01:00' },
  { file: '07-segfault-code-bytes.patch', authorDate: '2024-11-15T13:55:09+01:00' },
  { file: '08-audit-hooks-only-when-auditing.patch', authorDate: '2024-11-18T09:40:37+01:00' },
  { file: '09-slow-path-sched_yield.patch', authorDate: '2024-11-18T10:58:14+01:00' },
  { file: '10-document-entry-exits.patch', authorDate: '2024-11-18T17:22:46+01:00' },
];

/** The patch that breaks an entry invariant, and the later one that repairs it as a side effect. */
export const BREAKS_AT = 3;
export const FIXED_AT = 6;

/** How git send-email sent the series: one second per message, ids from the send time. */
export const SENT = {
  from: JONAS,
  to: [address(TOMASZ)],
  cc: [LIST],
  /** The cover letter's Date; message n is sent n seconds later. */
  date: '2024-11-19T09:30:12+01:00',
  /** send-email's Message-ID: <UTC time.pid-N-address>, N = 1 for the cover letter. */
  messageIdStem: '20241119083012.52841',
  mailer: 'git-send-email 2.47.1',
  /** The version format-patch writes under "-- "; fixed so the output does not depend on git here. */
  signature: '2.47.1',
};

export const COVER = {
  subject: 'x86/entry/64: Decide SYSRET vs IRET in C, and small entry cleanups',
  blurb: `The end of entry_SYSCALL_64 still decides between SYSRET and IRET in
assembly: six compare-and-branch pairs over pt_regs, with RCX and R11 as
scratch registers. This series moves that decision into do_syscall_64()
(patch 6), which is where current Linux makes it, and collects a few
small cleanups around the entry and exit code on the way:

 - 1, 10: document the pt_regs frame and the entry and exit paths;
 - 2, 8:  the slow path reads syscall_work once, and runs the audit
          hooks only when auditing is on;
 - 3:     the SYSRET path stops reloading RCX and R11, which the SYSRET
          checks have just loaded;
 - 4, 9:  wire up sched_yield(), and use it in the slow-path selftest;
 - 5, 7:  a name for the SYSCALL RFLAGS mask, and code bytes in
          segfault reports.

Tested in QEMU (TCG) with the init selftests on the console, which pass
with the whole series applied:

  # Totals: pass:24 fail:0 xfail:0 xpass:0 skip:0 error:0
`,
};

/** A reply in the thread. `to` is the message answered: 0 for the cover letter, n for patch n. */
export interface ReplySpec {
  /** Stable name the tests use. */
  key: string;
  from: Person;
  /** Index into REPLIES of the reply being answered, when it answers a reply rather than a patch. */
  toReply?: string;
  toPatch?: number;
  date: string;
  messageId: string;
  /** Extra recipients beyond the person answered. */
  cc: string[];
  userAgent: string;
  body: string;
}

export const REPLIES: ReplySpec[] = [
  {
    key: 'review-01',
    from: TOMASZ,
    toPatch: 1,
    date: '2024-11-19T14:02:37+01:00',
    messageId: '8f3c2a1e-5b7d-4e9a-9c61-2d4f0e7b3a91@example.net',
    cc: [LIST],
    userAgent: 'Mozilla Thunderbird',
    body: `On 19.11.24 09:30, Jonas Keller wrote:
> The comment above entry_SYSCALL_64 says what SYSCALL leaves in the
> registers, but not what the entry code turns them into. Reviewers of the
> exit paths keep reconstructing the frame from PUSH_REGS by hand, and the
> order of the hardware-like part (ss, sp, flags, cs, ip) is easy to get
> backwards.

Checked the table against struct pt_regs and a generated asm-offsets.h;
the offsets match.

Reviewed-by: Tomasz Wrona <twrona@example.net>

Tomasz
`,
  },
  {
    key: 'review-06',
    from: TOMASZ,
    toPatch: 6,
    date: '2024-11-19T14:25:03+01:00',
    messageId: '2b91d7c4-0e6f-4a38-b5d2-7c1e9f04a6d3@example.net',
    cc: [LIST],
    userAgent: 'Mozilla Thunderbird',
    body: `On 19.11.24 09:30, Jonas Keller wrote:
> Do the checks in do_syscall_64(), which now returns true when SYSRET can
> be used, and leave a single test of its return value in the assembly.
> The canonical test becomes a comparison with TASK_SIZE_MAX, which also
> keeps SYSRET away from the last page below the canonical hole.

[...]

> +	if (unlikely(regs->ip >= TASK_SIZE_MAX))
> +		return false;

This is stricter than the shl/sar pair it replaces, which let a RIP in
the last page below the hole through. Good; that is the case that bit
Intel CPUs.

Reviewed-by: Tomasz Wrona <twrona@example.net>

Tomasz
`,
  },
  {
    key: 'failure-03',
    from: MIRA,
    toPatch: BREAKS_AT,
    date: '2024-11-20T10:41:52-05:00',
    messageId: 'Zz4c1B7yq2WfX3aK@mira-x1.example.com',
    cc: [address(TOMASZ), LIST],
    userAgent: 'Mutt/2.2.12 (2023-09-09)',
    body: `On Tue, Nov 19, 2024 at 09:30:15AM +0100, Jonas Keller wrote:
> The SYSRET eligibility checks at the end of entry_SYSCALL_64 load RCX
> from pt_regs->cx and R11 from pt_regs->r11 to compare them with RIP and
> RFLAGS. When the checks pass, both registers already hold exactly what
> SYSRET needs, and POP_REGS then loads the same two values a second time.

[...]

> No functional change intended.

There is one. I walked the series in QEMU (TCG, the init selftests on
the serial console) and the ABI checks fail from this patch on:

  TAP version 13
  1..23
  # syscall ABI checks from user space: fast path, IRET path, slow path
  ok 1 - getpid returns the pid of init (1)
  ok 2 - getppid returns 0 for init
  # rbx: expected 0xe1e1e1e100000303, got 0x0000000000400171 after getpid
  # rbx: expected 0xe1e1e1e100000303, got 0x0000000000400171 after an unknown syscall
  # rbx: expected 0xe1e1e1e100000303, got 0x0000000000400171 after write(1, "", 0)
  not ok 3 - rbx preserved across syscall
  [...]
  ok 21 - rt_sigreturn restores every register (IRET path)
  # rbx: expected 0xe1e1e1e100000303, got 0x0000000000400171 after getpid (slow path)
  [...]
  not ok 22 - slow path: registers preserved with syscall trace and audit on
  ok 23 - slow path: trace and audit hooks run once per syscall
  # Totals: pass:21 fail:2 xfail:0 xpass:0 skip:0 error:0

Patches 1-2 pass, 3-5 fail like this, and from 6 on everything passes
again.

> +	.if \\skip_r11rcx
> +	popq	%rbx
> +	.else
>  	popq	%r11
> +	.endif

RBX has just been restored from pt_regs one line up, so this overwrites
the user's RBX with the saved R11, and the second one below with the
saved RCX.

That is the value the test sees: 0x400171 is the return address, right
after the SYSCALL in the probe. The IRET path is fine, which is why the
rt_sigreturn check passes. The dummy pops need a register that POP_REGS
restores afterwards, RSI for example.

I guess 6/10 hides it because it removes skip_r11rcx again?

Mira
`,
  },
  {
    key: 'author-answer',
    from: JONAS,
    toReply: 'failure-03',
    date: '2024-11-20T17:08:19+01:00',
    messageId: '20241120160819.ab3kq7xwz2fe@jonas-laptop',
    cc: [address(TOMASZ), LIST],
    userAgent: 'NeoMutt/20231103',
    body: `On Wed, Nov 20, 2024 at 10:41:52AM -0500, Mira Castell wrote:
> RBX has just been restored from pt_regs one line up, so this overwrites
> the user's RBX with the saved R11, and the second one below with the
> saved RCX.

Ugh, yes. I had RBX down as free because nothing reads it before
SYSRET. Nothing in the kernel, that is.

> I guess 6/10 hides it because it removes skip_r11rcx again?

Right: once the checks are in C, the SYSRET path has to restore RCX and
R11 itself, so 6/10 drops skip_r11rcx and the bad pops go with it. I
only ran the selftests with the whole series applied, and I think I
fixed it there without noticing.

Since 6/10 makes this patch pointless anyway, v2 will simply drop it.

Thanks for walking it,
Jonas
`,
  },
];
