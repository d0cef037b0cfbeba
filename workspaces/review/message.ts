// A draft as mail bytes: the .eml (plain text, UTF-8, no HTML) and mboxrd for several drafts in one file.
import { addressField, encodeUnstructured, foldField } from './mime-headers.js';
import type { ReplyHeaders } from './types.js';

/** RFC 5322 forbids lines over 998 octets; such a body goes quoted-printable, everything else 8bit (or 7bit). */
const MAX_8BIT_LINE = 998;

function encodeQuotedPrintable(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const bytes = Buffer.from(line, 'utf8');
    let cur = '';
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      const last = i === bytes.length - 1;
      const plain = b >= 33 && b <= 126 && b !== 61;
      const enc = plain || ((b === 32 || b === 9) && !last) ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
      if (cur.length + enc.length > 75) {
        out.push(`${cur}=`);
        cur = '';
      }
      cur += enc;
    }
    out.push(cur);
  }
  return out.join('\n');
}

export function transferEncodingFor(body: string): '7bit' | '8bit' | 'quoted-printable' {
  const lines = body.split('\n');
  if (lines.some((l) => Buffer.byteLength(l, 'utf8') > MAX_8BIT_LINE)) return 'quoted-printable';
  return /^[\x00-\x7f]*$/.test(body) ? '7bit' : '8bit';
}

/** The message as .eml text with LF line ends. */
export function renderMessage(h: ReplyHeaders, body: string): string {
  const fields: string[] = [];
  fields.push(addressField('From', [h.from]));
  if (h.to.length) fields.push(addressField('To', h.to));
  if (h.cc.length) fields.push(addressField('Cc', h.cc));
  fields.push(foldField('Subject', encodeUnstructured(h.subject)));
  fields.push(`Date: ${h.date}`);
  fields.push(`Message-ID: <${h.messageId}>`);
  if (h.inReplyTo) fields.push(`In-Reply-To: <${h.inReplyTo}>`);
  if (h.references.length) fields.push(foldField('References', h.references.map((r) => `<${r}>`).join(' ')));
  const cte = transferEncodingFor(body);
  fields.push('MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', `Content-Transfer-Encoding: ${cte}`);
  const text = body.endsWith('\n') ? body : `${body}\n`;
  return `${fields.join('\n')}\n\n${cte === 'quoted-printable' ? encodeQuotedPrintable(text) : text}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "From a@b Thu Jan  1 00:00:00 1970" (asctime, UTC). */
export function fromLine(sender: string, date: Date): string {
  const d = date;
  const p = (n: number) => String(n).padStart(2, '0');
  return `From ${sender || 'MAILER-DAEMON'} ${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** Messages as one mboxrd file: a From_ line each, ">From " escaping of body lines, a blank line between. */
export function renderMbox(messages: { eml: string; sender: string; date: Date }[]): string {
  return messages
    .map((m) => {
      const text = m.eml.endsWith('\n') ? m.eml : `${m.eml}\n`;
      return `${fromLine(m.sender, m.date)}\n${text.replace(/^(>*From )/gm, '>$1')}\n`;
    })
    .join('');
}
