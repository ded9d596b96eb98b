/*
 * import.js — reading a bank file into the books in two steps: the file
 * chosen is first read as a dry run (the server books it inside a
 * savepoint and undoes it) and shown as a preview; "Bokför" then imports
 * the same bytes for real and shows the result.  A BgMax file goes to
 * /payments/bgmax, an ISO 20022 camt.054 file (XML) to /payments/camt054.
 * A refusal is one plain sentence naming the line and the reason, the
 * code only under "Detaljer"; a test file (marked T) is shown but never
 * offered for booking.
 */
import { Action, api } from '../../api.js';
import { announce, clear, h } from '../../dom.js';
import { t } from '../../i18n.js';
import { co } from '../../state.js';
import { reportView } from './report.js';
import { bgmaxIdentity, fileKind, identityParts } from './words.js';

const CONTENT_TYPE = { bgmax: 'application/octet-stream', camt054: 'application/xml' };

/* The plain sentence for a refused file, and any text to show under it. */
function refusalText(err, file) {
  const code = err.code;
  const reason = String(err.body?.error?.reason ?? '').replace(/^line \d+: /, '');
  const line = /^line (\d+)$/.exec(err.field ?? '')?.[1];
  const deposit = /^deposits\[(\d+)\]$/.exec(err.field ?? '')?.[1];
  if (code === 'bgmax_invalid') {
    return {
      text: line ? t('payments.refused.invalid_line', { n: line }) : t('payments.refused.invalid'),
      more: reason ? [t('payments.refused.reason'), ' ', h('span', { lang: 'en' }, reason)] : null,
    };
  }
  if (code === 'bgmax_test_file') return { text: t('payments.refused.test_file') };
  if (code === 'bankgiro_mismatch') {
    return {
      text: t('payments.refused.bankgiro'),
      more: h('a', { href: '#/settings?focus=bankgiro' }, t('payments.refused.bankgiro_fix')),
    };
  }
  if (code === 'already_imported') {
    if (deposit !== undefined) return { text: t('payments.refused.already_deposit', { n: Number(deposit) + 1 }) };
    const identity = file.kind === 'bgmax' ? bgmaxIdentity(file.bytes) : null;
    const parts = identityParts(identity);
    if (!identity) return { text: t('payments.refused.already_file_plain') };
    return {
      text: parts ? t('payments.refused.already_file', { identity, created: parts.created })
        : t('payments.refused.already_file_id', { identity }),
    };
  }
  if (err.status === 413) return { text: t('payments.refused.too_large') };
  return { text: err.message };
}

/* A refusal in the error box: the sentence, what more there is, and the code under "Detaljer". */
function showRefusal(box, err, file) {
  clear(box);
  box.hidden = false;
  if (err.handled) {
    box.append(h('p', t('err.session_expired_inline')));
    return;
  }
  const { text, more } = refusalText(err, file);
  box.append(h('p', h('strong', t('err.title')), ' ', text), more ? h('p', more) : null,
    h('p', t('payments.refused.nothing_booked')));
  if (err.status && err.code) {
    box.append(h('details.err-details', h('summary', t('err.details')),
      h('p.err-code', `HTTP ${err.status} · ${err.code}${err.field ? ` · ${err.field}` : ''}`)));
  }
}

/*
 * The import section: .el.  onBooked(report) after a file was booked
 * (the view refreshes the payments waiting to be placed).
 */
export class BankFileImport {
  constructor({ onBooked }) {
    this.onBooked = onBooked;
    this.action = new Action();
    this.seq = 0; /* the file chosen last wins over an answer still on its way */
    this.errBox = h('div.error-box', { role: 'alert', hidden: true });
    this.out = h('div.import-out');
    /* The browser's own file control speaks the browser's language, not
     * the page's: it is kept for the keyboard and screen readers but not
     * shown, and its label is the visible button. */
    this.input = h('input#bank-file.file-input', {
      type: 'file', accept: '.txt,.xml,.dat,.bgm,text/plain,application/xml,text/xml', 'aria-describedby': 'bank-file-name bank-file-hint',
    });
    this.chosenName = h('span.file-name#bank-file-name', t('payments.no_file'));
    this.el = h('section.pay-import', { 'aria-labelledby': 'import-title' },
      h('h2#import-title', t('payments.import_title')),
      h('p', t('payments.import_intro')),
      h('div.field.file-field',
        h('div.file-pick', this.input, h('label.button', { for: 'bank-file' }, t('payments.file_label')), this.chosenName),
        h('span.hint#bank-file-hint', t('payments.file_hint'))),
      this.errBox, this.out);
    this.input.addEventListener('change', () => {
      const chosen = this.input.files?.[0];
      if (!chosen) return;
      this.chosenName.textContent = chosen.name;
      this.preview(chosen).finally(() => {
        this.input.value = ''; /* the same file may be chosen again */
      });
    });
  }

  reset() {
    this.seq += 1;
    clear(this.out);
    clear(this.errBox).hidden = true;
  }

  /* Back to choosing a file. */
  startOver() {
    this.reset();
    this.chosenName.textContent = t('payments.no_file');
    this.input.focus();
  }

  post(file, query, action) {
    return api('POST', co(`/payments/${file.kind}`), { raw: file.bytes, contentType: CONTENT_TYPE[file.kind], query, action });
  }

  /* The dry run of the chosen file, shown as a preview (or its refusal). */
  async preview(chosen) {
    this.reset();
    const seq = this.seq;
    this.out.append(h('p.loading', { role: 'status' }, t('payments.reading', { name: chosen.name })));
    const bytes = await chosen.arrayBuffer();
    const file = { name: chosen.name, bytes, kind: fileKind(bytes) };
    let rep = null;
    let refusal = bytes.byteLength ? null : { message: t('payments.refused.empty') };
    if (!refusal) {
      try {
        rep = await this.post(file, { dry_run: 'true' });
      } catch (err) {
        refusal = err;
      }
    }
    if (seq !== this.seq) return;
    clear(this.out);
    if (refusal) showRefusal(this.errBox, refusal, file);
    else this.showPreview(file, rep);
  }

  showPreview(file, rep) {
    const isTest = rep.test_marker === 'T';
    const bookBtn = isTest ? null : h('button.primary#book-file', { type: 'button' }, t('payments.book'));
    const panel = h('section.pay-preview', { 'aria-labelledby': 'preview-title' },
      h('h2#preview-title', { tabindex: '-1' }, t(isTest ? 'payments.preview_title_test' : 'payments.preview_title')),
      h('p', t(isTest ? 'payments.preview_intro_test' : 'payments.preview_intro')),
      reportView(rep, { preview: true, fileName: file.name }),
      h('div.buttons', bookBtn,
        h('button#cancel-file', { type: 'button', onclick: () => this.startOver() }, t(isTest ? 'common.close' : 'payments.cancel'))));
    this.out.append(panel);
    panel.querySelector('h2').focus();
    if (bookBtn) bookBtn.addEventListener('click', () => this.book(file, bookBtn));
  }

  /* The same bytes imported for real, and the result. */
  async book(file, btn) {
    btn.disabled = true;
    this.errBox.hidden = true;
    let rep;
    try {
      rep = await this.post(file, undefined, this.action);
    } catch (err) {
      /* Imported meanwhile (another user, another tab): nothing left to book. */
      if (err.code === 'already_imported') btn.remove();
      else btn.disabled = false;
      showRefusal(this.errBox, err, file);
      return;
    }
    clear(this.out);
    const tot = rep.totals;
    const panel = h('section.pay-result', { 'aria-labelledby': 'result-title' },
      h('h2#result-title', { tabindex: '-1' }, t('payments.result_title')),
      h('p.result-ok', { role: 'status' }, t('payments.result_text', {
        matched: tot.matched_count, unmatched: tot.unmatched_count, name: file.name,
      })),
      reportView(rep, { fileName: file.name }),
      h('div.buttons', h('button#import-another', { type: 'button', onclick: () => this.startOver() }, t('payments.import_another'))));
    this.out.append(panel);
    panel.querySelector('h2').focus();
    announce(t('payments.booked_toast', { matched: tot.matched_count, unmatched: tot.unmatched_count }));
    this.onBooked(rep);
  }
}
