/*
 * camt054.mjs — the tests' own writer of ISO 20022 camt.054 files
 * (BankToCustomerDebitCreditNotification), the XML notification of
 * incoming payments Swedish banks deliver beside BgMax.  Node only, no
 * packages.
 *
 *   camt054({ msgId, created, version, account, entries }) -> string (XML)
 *   camt054Payments({ refs, amounts, ... }) -> string: one entry per
 *       `perEntry` payments, each a TxDtls with an OCR reference
 *   ore(amountMinor) -> "1250.00"
 *
 * account: { bankgiro: '9912346' } (Othr/Id with SchmeNm/Prtry BGNR) or
 * { iban: 'SE45...' }.  An entry: { amount (öre; default Σ of its
 * transactions), currency ('SEK'), cdtDbt ('CRDT'), status ('BOOK'),
 * date ('2024-03-15'), ref (AcctSvcrRef), txs: [...], raw (XML put inside
 * the Ntry as it is) }.  A transaction: { amount (öre, or null: no
 * amount of its own), ocr: [refs], ustrd: [texts], name, payerBankgiro,
 * ref (Refs/AcctSvcrRef), e2e (EndToEndId), cdtDbt, amountText (the
 * amount as written, to write a malformed one) }.  version '02' writes
 * amounts in AmtDtls/TxAmt/Amt and the status as a code; '04'..'07'
 * TxDtls/Amt; '08' also Sts/Cd and Dbtr/Pty/Nm.
 *
 * The output depends only on the options (no clock, no random state).
 *
 * From the command line (a file to look at or import by hand):
 *   node tests/lib/camt054.mjs OUT --refs-file refs.txt --bankgiro NNNNNNN
 *        [--msg-id ID] [--date YYYY-MM-DD] [--per-entry 1000] [--amount ÖRE]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const NS = (version = '02') => `urn:iso:std:iso:20022:tech:xsd:camt.054.001.${version}`;

export function ore(minor) {
  const sign = minor < 0 ? '-' : '';
  const v = Math.abs(minor);
  return `${sign}${Math.floor(v / 100)}.${String(v % 100).padStart(2, '0')}`;
}

export function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function accountXml(account, indent) {
  if (account.iban) return `${indent}<Id><IBAN>${esc(account.iban)}</IBAN></Id>`;
  return `${indent}<Id><Othr><Id>${esc(account.bankgiro)}</Id><SchmeNm><Prtry>BGNR</Prtry></SchmeNm></Othr></Id>`;
}

function txXml(tx, entry, version) {
  const cur = entry.currency ?? 'SEK';
  const out = ['        <TxDtls>'];
  const refs = [];
  if (tx.ref) refs.push(`<AcctSvcrRef>${esc(tx.ref)}</AcctSvcrRef>`);
  if (tx.e2e) refs.push(`<EndToEndId>${esc(tx.e2e)}</EndToEndId>`);
  if (refs.length) out.push(`          <Refs>${refs.join('')}</Refs>`);
  const amountText = tx.amountText ?? (tx.amount == null ? null : ore(tx.amount));
  if (amountText != null && version !== '02' && version !== '03') {
    out.push(`          <Amt Ccy="${tx.currency ?? cur}">${amountText}</Amt>`);
    if (tx.cdtDbt) out.push(`          <CdtDbtInd>${tx.cdtDbt}</CdtDbtInd>`);
  }
  if (amountText != null && (version === '02' || version === '03'))
    out.push(`          <AmtDtls><TxAmt><Amt Ccy="${tx.currency ?? cur}">${amountText}</Amt></TxAmt></AmtDtls>`);
  out.push('          <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>');
  if (tx.name || tx.payerBankgiro) {
    const party = tx.name ? (version === '08' ? `<Dbtr><Pty><Nm>${esc(tx.name)}</Nm></Pty></Dbtr>` : `<Dbtr><Nm>${esc(tx.name)}</Nm></Dbtr>`) : '';
    const acct = tx.payerBankgiro
      ? `<DbtrAcct><Id><Othr><Id>${esc(tx.payerBankgiro)}</Id><SchmeNm><Prtry>BGNR</Prtry></SchmeNm></Othr></Id></DbtrAcct>`
      : '';
    out.push(`          <RltdPties>${party}${acct}</RltdPties>`);
  }
  const ustrd = (tx.ustrd ?? []).map((u) => `<Ustrd>${esc(u)}</Ustrd>`).join('');
  const strd = (tx.ocr ?? [])
    .map((r) => `<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>${esc(r)}</Ref></CdtrRefInf></Strd>`)
    .join('');
  if (ustrd || strd) out.push(`          <RmtInf>${ustrd}${strd}</RmtInf>`);
  out.push('        </TxDtls>');
  return out.join('\n');
}

function entryXml(entry, version) {
  const txs = entry.txs ?? [];
  /* a transaction's own CdtDbtInd (written from 001.04 on) against the entry's reduces it */
  const against = (t) => t.cdtDbt && t.cdtDbt !== (entry.cdtDbt ?? 'CRDT') && version >= '04';
  const amount = entry.amount ?? txs.reduce((s, t) => s + (against(t) ? -t.amount : t.amount), 0);
  const status = entry.status ?? 'BOOK';
  const out = ['    <Ntry>'];
  out.push(`      <Amt Ccy="${entry.currency ?? 'SEK'}">${entry.amountText ?? ore(amount)}</Amt>`);
  out.push(`      <CdtDbtInd>${entry.cdtDbt ?? 'CRDT'}</CdtDbtInd>`);
  out.push(version === '08' ? `      <Sts><Cd>${status}</Cd></Sts>` : `      <Sts>${status}</Sts>`);
  if (entry.date !== null) out.push(`      <BookgDt><Dt>${entry.date ?? '2024-03-15'}</Dt></BookgDt>`);
  if (entry.date !== null) out.push(`      <ValDt><Dt>${entry.date ?? '2024-03-15'}</Dt></ValDt>`);
  if (entry.ref) out.push(`      <AcctSvcrRef>${esc(entry.ref)}</AcctSvcrRef>`);
  out.push('      <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>');
  if (entry.raw) out.push(entry.raw);
  if (txs.length) {
    out.push('      <NtryDtls>');
    out.push(`        <Btch><NbOfTxs>${txs.length}</NbOfTxs></Btch>`);
    for (const tx of txs) out.push(txXml(tx, entry, version));
    out.push('      </NtryDtls>');
  }
  out.push('    </Ntry>');
  return out.join('\n');
}

export function camt054({ msgId = 'PAMINN-TEST-1', created = '2024-03-16T06:30:15', version = '02', account = { bankgiro: '9912346' },
  entries = [], prolog = '<?xml version="1.0" encoding="UTF-8"?>\n' } = {}) {
  return `${prolog}<Document xmlns="${NS(version)}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<BkToCstmrDbtCdtNtfctn>
  <GrpHdr>
    <MsgId>${esc(msgId)}</MsgId>
    <CreDtTm>${created}</CreDtTm>
  </GrpHdr>
  <Ntfctn>
    <Id>${esc(msgId)}-1</Id>
    <CreDtTm>${created}</CreDtTm>
    <Acct>
${accountXml(account, '      ')}
      <Ccy>SEK</Ccy>
    </Acct>
${entries.map((e) => entryXml(e, version)).join('\n')}
  </Ntfctn>
</BkToCstmrDbtCdtNtfctn>
</Document>
`;
}

/* Many payments: refs[i] paid with amounts[i] (öre), perEntry to an entry. */
export function camt054Payments({ refs, amounts, msgId = 'PAMINN-BULK-1', date = '2024-01-03', perEntry = 1000, bankgiro = '9912346', version = '02' }) {
  const entries = [];
  for (let i = 0; i < refs.length; i += perEntry) {
    const txs = refs.slice(i, i + perEntry).map((r, k) => ({
      amount: amounts[i + k], ocr: [r], name: `Betalare ${i + k + 1}`, ref: `BG${String(i + k + 1).padStart(10, '0')}`,
    }));
    entries.push({ date, ref: `${msgId}-E${entries.length + 1}`, txs });
  }
  return camt054({ msgId, version, account: { bankgiro }, entries });
}

/* ---- command line ---- */
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'refs-file': { type: 'string' }, bankgiro: { type: 'string', default: '9912346' }, 'msg-id': { type: 'string', default: 'PAMINN-BULK-1' },
      date: { type: 'string', default: '2024-01-03' }, 'per-entry': { type: 'string', default: '1000' }, amount: { type: 'string', default: '125000' },
    },
  });
  if (positionals.length !== 1 || !values['refs-file']) {
    console.error('usage: node tests/lib/camt054.mjs OUT --refs-file refs.txt [--bankgiro N] [--msg-id ID] [--date D] [--per-entry N] [--amount ÖRE]');
    process.exit(2);
  }
  const refs = readFileSync(values['refs-file'], 'utf8').split(/\s+/).filter(Boolean);
  const amounts = refs.map(() => Number(values.amount));
  writeFileSync(positionals[0], camt054Payments({
    refs, amounts, msgId: values['msg-id'], date: values.date, perEntry: Number(values['per-entry']), bankgiro: values.bankgiro,
  }));
}
