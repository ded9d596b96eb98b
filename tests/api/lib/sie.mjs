/*
 * sie.mjs — an independent SIE 4 reader for the tests: CP437 bytes to
 * records, vouchers with their rows, and the #KSUMMA check (CRC-32 over
 * labels and field contents, without blanks, quotes, braces and line
 * ends, per SIE filformat §10).  Written from the specification, not from
 * the C writer, so that the two check each other.
 */
import assert from 'node:assert/strict';

const CP437_HIGH = 'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

function cp437(buf) {
  let s = '';
  for (const b of buf) s += b < 128 ? String.fromCharCode(b) : CP437_HIGH[b - 128];
  return s;
}

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/* Fields of a SIE line: bare words, "quoted \" text", {object lists}. */
function fields(lineText) {
  const out = [];
  const re = /"((?:[^"\\]|\\.)*)"|\{[^}]*\}|\S+/g;
  let m;
  while ((m = re.exec(lineText))) out.push(m[1] !== undefined ? m[1].replace(/\\"/g, '"') : m[0]);
  return out;
}

/* A SIE 4 reader: records, vouchers with their rows, and the checksum check. */
export function parseSie(buf) {
  const lines = cp437(buf).split('\r\n');
  assert.equal(lines.at(-1), '', 'the file ends with CR LF');
  lines.pop();
  const recs = [];
  const vers = [];
  let cur = null;
  let crcBytes = [];
  let summing = false;
  let ksumma = null;
  for (const l of lines) {
    if (l === '{' || l === '}') {
      if (l === '}') cur = null;
      continue;
    }
    const f = fields(l);
    if (f[0] === '#KSUMMA') {
      if (f.length === 1) summing = true;
      else ksumma = Number(f[1]);
      continue;
    }
    if (summing) {
      /* label and field contents, without quotes, blanks between, braces */
      for (const x of f) {
        const content = x.startsWith('{') ? x.slice(1, -1).replace(/[\s"]/g, '') : x;
        crcBytes.push(...Buffer.from([...content].map((ch) => {
          const code = ch.charCodeAt(0);
          return code < 128 ? code : 128 + CP437_HIGH.indexOf(ch);
        })));
      }
    }
    recs.push(f);
    if (f[0] === '#VER') {
      cur = { series: f[1], number: Number(f[2]), date: f[3], text: f[4], trans: [] };
      vers.push(cur);
    } else if (f[0] === '#TRANS') {
      assert.ok(cur, '#TRANS inside a #VER');
      cur.trans.push({ account: Number(f[1]), amount: Math.round(Number(f[3]) * 100) });
    }
  }
  return { recs, vers, ksumma, crc: crc32(crcBytes), first: lines[0] };
}
