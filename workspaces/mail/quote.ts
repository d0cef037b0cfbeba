// Reply text: quote depth, attribution lines, signatures and list footers. Shared by threading, trailers and replies.

/** Number of quote markers at the start of a line: ">", "> >", ">>" all count. */
export function quoteDepth(line: string): number {
  let depth = 0;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === '>') {
      depth++;
      i++;
    } else if ((c === ' ' || c === '\t') && depth > 0 && line[i + 1] === '>') i++;
    else if (c === ' ' && depth === 0 && i < 2 && line[i + 1] === '>') i++;
    else break;
  }
  return depth;
}

/** The line with `levels` quote markers (and the space after each) removed. */
export function unquote(line: string, levels = 1): string {
  let s = line;
  for (let k = 0; k < levels; k++) {
    const m = /^[ \t]{0,2}>[ ]?/.exec(s);
    if (!m) break;
    s = s.slice(m[0].length);
  }
  return s;
}

/** Start of the signature: a "-- " (or a bare "--", which archives leave) line at quote depth 0. */
export function signatureStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === '-- ' || lines[i] === '--' || lines[i] === '-- \r') return i;
  }
  return -1;
}

/** The body without its signature (everything from the first "-- " line). */
export function stripSignature(body: string): string {
  const lines = body.split('\n');
  const at = signatureStart(lines);
  return at < 0 ? body : lines.slice(0, at).join('\n') + (at > 0 ? '\n' : '');
}

const ATTRIBUTION = [
  // On Mon, Dec 7, 2015 at 4:51 PM, Andy Lutomirski <luto@amacapital.net> wrote:
  /^On .{4,160},\s*([^,]+?)\s*(?:<([^>]*)>)?\s+wrote:\s*$/,
  // * Brian Gerst <brgerst@gmail.com> wrote:
  /^\*\s+(.+?)\s*(?:<([^>]*)>)?\s+wrote:\s*$/,
  // Andy Lutomirski <luto@kernel.org> writes:
  /^(.+?)\s*(?:<([^>]*)>)?\s+(?:wrote|writes):\s*$/,
  // Quoting Andy Lutomirski (2015-12-07 16:51:07):
  /^Quoting (.+?) \(.+\):\s*$/,
];

/** Who a line says is being quoted, e.g. "On ..., Andy Lutomirski <luto@...> wrote:". */
export function parseAttribution(line: string): { name: string; email: string } | null {
  const l = line.trim();
  if (!/wrote:\s*$|writes:\s*$|^Quoting /.test(l)) return null;
  for (const re of ATTRIBUTION) {
    const m = re.exec(l);
    if (m) {
      const name = m[1].replace(/["']/g, '').replace(/\s+/g, ' ').trim();
      if (name.length > 80) return null;
      return { name, email: (m[2] ?? '').trim() };
    }
  }
  return null;
}

export interface ReplyStructure {
  /** Lines the author wrote (depth 0), without attribution lines and signature. */
  own: string[];
  /** Quoted lines with one level of quoting removed. */
  quoted: string[];
  /** People the reply says it quotes, in order. */
  attributions: { name: string; email: string }[];
}

/** Split a reply into its own text and what it quotes. */
export function replyStructure(body: string): ReplyStructure {
  const lines = stripSignature(body).split('\n');
  const own: string[] = [];
  const quoted: string[] = [];
  const attributions: { name: string; email: string }[] = [];
  let inQuote = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const depth = quoteDepth(line);
    if (depth > 0) {
      quoted.push(unquote(line, 1));
      inQuote = true;
      continue;
    }
    // archives render quotes nested too deep as lines with one leading space: still quoted text
    if (inQuote && /^ \S/.test(line)) {
      quoted.push(line.slice(1));
      continue;
    }
    if (inQuote && line.trim() === '') {
      quoted.push('');
      continue;
    }
    inQuote = false;
    const a = parseAttribution(line);
    // an attribution may be wrapped onto two lines: "On Mon, ... Andy Lutomirski\n<luto@...> wrote:"
    const joined = a ? null : i + 1 < lines.length ? parseAttribution(`${line} ${lines[i + 1]}`) : null;
    if (a) {
      attributions.push(a);
      continue;
    }
    if (joined && /^On /.test(line) && quoteDepth(lines[i + 1]) === 0) {
      attributions.push(joined);
      i++;
      continue;
    }
    own.push(line);
  }
  return { own, quoted, attributions };
}
