// Trailers in replies: what counts (own, above the signature, before any attached diff) and wrapped ones.
import { describe, expect, it } from 'vitest';
import { replyTrailers, trailerMatchesSender, canonicalTrailerName } from '../../../workspaces/series/trailers.js';

const names = (body: string, namesSuffice = false) => replyTrailers(body, { namesSuffice }).map((t) => `${t.name}: ${t.value}`);

describe('reply trailers', () => {
  it('takes the sender\'s trailers and ignores quoted ones and the signature', () => {
    const body = 'On Mon, Andy wrote:\n> Signed-off-by: Andy Lutomirski <luto@kernel.org>\n> Acked-by: Quoted <q@x>\n\nLooks good.\n\nReviewed-by: Brian Gerst <brgerst@gmail.com>\nacked-BY: Brian Gerst <brgerst@gmail.com>\n-- \nBrian\nTested-by: Sig Line <s@x>\n';
    expect(names(body)).toEqual(['Reviewed-by: Brian Gerst <brgerst@gmail.com>', 'Acked-by: Brian Gerst <brgerst@gmail.com>']);
  });
  it('joins wrapped trailers: address on the next line, broken inside, or indented', () => {
    expect(names('Reviewed-by: Borislav Petkov\n<bp@alien8.de>\n')).toEqual(['Reviewed-by: Borislav Petkov <bp@alien8.de>']);
    expect(names('Tested-by: Thomas Gleixner\n  <tglx@linutronix.de>\n')).toEqual(['Tested-by: Thomas Gleixner <tglx@linutronix.de>']);
    expect(names('Reviewed-by: Josh Poimboeuf <jpoimboe@\nredhat.com>\n')).toEqual(['Reviewed-by: Josh Poimboeuf <jpoimboe@redhat.com>']);
    expect(names('Acked-by:\n Ingo Molnar <mingo@kernel.org>\n')).toEqual(['Acked-by: Ingo Molnar <mingo@kernel.org>']);
  });
  it('needs an address for person trailers, except in archive text, and a hash for Fixes', () => {
    expect(names('Acked-by: me\nFixes: my complaint\n')).toEqual([]);
    expect(names('Fixes: 1234567890ab ("x86/entry: Break it")\n')).toEqual(['Fixes: 1234567890ab ("x86/entry: Break it")']);
    expect(names('Reviewed-by: Brian Gerst\n', true)).toEqual(['Reviewed-by: Brian Gerst']);
  });
  it('stops at a diff or scissors in the reply: that patch\'s trailers are not the sender\'s', () => {
    expect(names('Try this:\n\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\nSigned-off-by: Brian Gerst <brgerst@gmail.com>\n')).toEqual([]);
    expect(names('Reviewed-by: A <a@x>\n\n-- >8 --\nSigned-off-by: B <b@x>\n')).toEqual(['Reviewed-by: A <a@x>']);
  });
  it('tells whether a trailer names its sender, by address or by name parts', () => {
    const [t] = replyTrailers('Tested-by: Kees Cook <keescook@chromium.org>\n');
    expect(trailerMatchesSender(t, { name: 'Andy Lutomirski', email: 'luto@kernel.org' })).toBe(false);
    expect(trailerMatchesSender(t, { name: 'K. Cook', email: 'KeesCook@Chromium.org' })).toBe(true);
    const [u] = replyTrailers('Acked-by: Andy Lutomirski <luto@amacapital.net>\n');
    expect(trailerMatchesSender(u, { name: 'Lutomirski, Andy', email: 'luto@kernel.org' })).toBe(true);
    expect(canonicalTrailerName('REVIEWED-BY')).toBe('Reviewed-by');
  });
});
