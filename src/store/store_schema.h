/*
 * store_schema.h — the schema's migrations, written once for both engines.
 *
 * Not a header of declarations: the text of every version, to be included
 * inside an engine's migrations[] initializer (sqlite_migrations.c,
 * pg_migrations.c) after the engine has defined its spellings:
 *
 *   T_INT        the integer type (SQLite INTEGER, PostgreSQL BIGINT)
 *   T_BLOB       the bytes type (BLOB, BYTEA)
 *   T_ROWID      the row id of companies and users (SQLite's rowid, an
 *                identity column on PostgreSQL)
 *   T_STRICT     after a table's closing parenthesis (" STRICT", "")
 *   T_JSON(col)  a test that the text column col is JSON
 *   T_USER_EMAIL, T_USER_INDEXES, T_CUSTOMER_NAME, T_CUSTOMER_INDEXES,
 *   T_VOUCHER_TRIGGERS, T_LETTER_CHECK
 *                the DDL that truly differs (case-insensitive keys, the
 *                voucher triggers)
 *
 * migrations[i] is version i + 1.  The common runner (store_migrate.c)
 * applies, inside one transaction, every version above the highest one
 * recorded in schema_migrations, recording each; running it again applies
 * nothing.  A migration, once released, is never edited: a change is a new
 * entry at the end, and both engines create the same tables, columns and
 * indexes under the same names.
 *
 * Conventions of the schema (keep them in every new migration):
 * - Every company-owned table has company_id first in its primary key,
 *   and every foreign key between company-owned tables includes
 *   company_id, so a row can never point into another company and the
 *   schema distributes by company_id unchanged.  SQLite's tables are
 *   STRICT.
 * - Dates are integer day numbers (core/date.h), instants integer unix
 *   seconds (history: microseconds), money integer öre, enums TEXT with a
 *   CHECK listing their names (store.h's *_name() spellings), JSON TEXT
 *   checked with T_JSON.
 * - Ids of company-owned rows come from sequences(company_id, name), so
 *   they count per company.
 */

/* clang-format off */

/* The address columns of companies and customers. */
#define SCHEMA_ADDRESS \
    "  address_line_1 TEXT NOT NULL DEFAULT ''," \
    "  address_line_2 TEXT NOT NULL DEFAULT ''," \
    "  zip_code TEXT NOT NULL DEFAULT ''," \
    "  city TEXT NOT NULL DEFAULT ''," \
    "  country TEXT NOT NULL DEFAULT 'SE'," \
    "  email TEXT NOT NULL DEFAULT '',"

    /* 1: the foundation, and the tables the agency, letters and books need. */
    "CREATE TABLE companies ("
    "  id " T_ROWID ","
    "  name TEXT NOT NULL,"
    "  organization_no TEXT NOT NULL DEFAULT '',"
    SCHEMA_ADDRESS
    "  phone TEXT NOT NULL DEFAULT '',"
    "  bankgiro TEXT NOT NULL DEFAULT '',"
    "  payment_terms_days " T_INT " NOT NULL DEFAULT 30,"
    "  reminder_fee_agreed " T_INT " NOT NULL DEFAULT 0 CHECK (reminder_fee_agreed IN (0, 1)),"
    "  reminder_fee_minor " T_INT " NOT NULL DEFAULT 0 CHECK (reminder_fee_minor >= 0),"
    "  accounting_method TEXT NOT NULL DEFAULT 'accrual'"
    "    CHECK (accounting_method IN ('accrual', 'cash')),"
    "  language TEXT NOT NULL DEFAULT 'sv',"
    "  timezone TEXT NOT NULL DEFAULT 'Europe/Stockholm',"
    "  created_at " T_INT " NOT NULL"
    ")" T_STRICT ";"

    /* E-mail addresses are unique ignoring ASCII case. */
    "CREATE TABLE users ("
    "  id " T_ROWID ","
    T_USER_EMAIL
    "  name TEXT NOT NULL DEFAULT '',"
    "  password_hash TEXT NOT NULL DEFAULT '',"
    "  created_at " T_INT " NOT NULL"
    ")" T_STRICT ";"
    T_USER_INDEXES

    "CREATE TABLE memberships ("
    "  company_id " T_INT " NOT NULL REFERENCES companies (id),"
    "  user_id " T_INT " NOT NULL REFERENCES users (id),"
    "  role TEXT NOT NULL CHECK (role IN ('owner', 'member', 'read_only')),"
    "  PRIMARY KEY (company_id, user_id)"
    ")" T_STRICT ";"
    "CREATE INDEX memberships_user ON memberships (user_id, company_id);"

    "CREATE TABLE sequences ("
    "  company_id " T_INT " NOT NULL REFERENCES companies (id),"
    "  name TEXT NOT NULL,"
    "  next_value " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, name)"
    ")" T_STRICT ";"

    "CREATE TABLE sessions ("
    "  token_hash TEXT NOT NULL PRIMARY KEY,"
    "  user_id " T_INT " NOT NULL REFERENCES users (id),"
    "  csrf_token TEXT NOT NULL,"
    "  created_at " T_INT " NOT NULL,"
    "  expires_at " T_INT " NOT NULL"
    ")" T_STRICT ";"
    "CREATE INDEX sessions_user ON sessions (user_id);"
    "CREATE INDEX sessions_expires ON sessions (expires_at);"

    "CREATE TABLE api_tokens ("
    "  company_id " T_INT " NOT NULL REFERENCES companies (id),"
    "  id " T_INT " NOT NULL,"
    "  name TEXT NOT NULL,"
    "  token_hash TEXT NOT NULL UNIQUE,"
    "  created_by " T_INT " NOT NULL REFERENCES users (id),"
    "  created_at " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, id)"
    ")" T_STRICT ";"

    "CREATE TABLE idempotency_keys ("
    "  company_id " T_INT " NOT NULL REFERENCES companies (id),"
    "  key TEXT NOT NULL,"
    "  request_hash TEXT NOT NULL,"
    "  status " T_INT " NOT NULL,"
    "  body TEXT NOT NULL,"
    "  created_at " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, key)"
    ")" T_STRICT ";"
    "CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);"

    "CREATE TABLE customers ("
    "  company_id " T_INT " NOT NULL REFERENCES companies (id),"
    "  id " T_INT " NOT NULL,"
    "  number TEXT NOT NULL DEFAULT '',"
    T_CUSTOMER_NAME
    "  is_company " T_INT " NOT NULL CHECK (is_company IN (0, 1)),"
    "  id_number TEXT NOT NULL DEFAULT '',"
    SCHEMA_ADDRESS
    "  mobile_number TEXT NOT NULL DEFAULT '',"
    "  language TEXT NOT NULL DEFAULT 'sv',"
    "  created_at " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, id)"
    ")" T_STRICT ";"
    T_CUSTOMER_INDEXES
    "CREATE UNIQUE INDEX customers_number ON customers (company_id, number) WHERE number <> '';"

    /* remaining_minor and state are derived, kept by the store on every
     * payment, credit and loss; the CHECK keeps the arithmetic honest. */
    "CREATE TABLE invoices ("
    "  company_id " T_INT " NOT NULL REFERENCES companies (id),"
    "  id " T_INT " NOT NULL,"
    "  number " T_INT " NOT NULL CHECK (number > 0),"
    "  customer_id " T_INT " NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('standard', 'rot', 'rut')),"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3),"
    "  invoice_date " T_INT " NOT NULL,"
    "  due_date " T_INT " NOT NULL,"
    "  net_minor " T_INT " NOT NULL,"
    "  vat_minor " T_INT " NOT NULL,"
    "  total_minor " T_INT " NOT NULL,"
    "  tax_reduction_minor " T_INT " NOT NULL DEFAULT 0,"
    "  customer_part_minor " T_INT " NOT NULL,"
    "  paid_minor " T_INT " NOT NULL DEFAULT 0,"
    "  credited_minor " T_INT " NOT NULL DEFAULT 0,"
    "  remaining_minor " T_INT " NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('open', 'paid', 'written_off', 'credited')),"
    "  manual_reminders " T_INT " NOT NULL DEFAULT 0 CHECK (manual_reminders >= 0),"
    "  agency_state TEXT NOT NULL DEFAULT '',"
    "  agency_status TEXT NOT NULL DEFAULT '',"
    "  created_at " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, id),"
    "  UNIQUE (company_id, number),"
    "  FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, id),"
    "  CHECK (remaining_minor = customer_part_minor - paid_minor - credited_minor)"
    ")" T_STRICT ";"
    /* The list (store_invoice_list.c) is served from these without a scan or a
     * sort: per sort key one index for "all", one behind state = ?, and a
     * partial one for invoices with the agency; one per customer. */
    "CREATE INDEX invoices_due ON invoices (company_id, due_date, id);"
    "CREATE INDEX invoices_number ON invoices (company_id, number, id);"
    "CREATE INDEX invoices_remaining ON invoices (company_id, remaining_minor, id);"
    "CREATE INDEX invoices_state_due ON invoices (company_id, state, due_date, id);"
    "CREATE INDEX invoices_state_number ON invoices (company_id, state, number, id);"
    "CREATE INDEX invoices_state_remaining ON invoices (company_id, state, remaining_minor, id);"
    "CREATE INDEX invoices_agency_due ON invoices (company_id, due_date, id)"
    "  WHERE agency_state <> '';"
    "CREATE INDEX invoices_agency_number ON invoices (company_id, number, id)"
    "  WHERE agency_state <> '';"
    "CREATE INDEX invoices_agency_remaining ON invoices (company_id, remaining_minor, id)"
    "  WHERE agency_state <> '';"
    "CREATE INDEX invoices_customer ON invoices (company_id, customer_id, due_date, id);"

    "CREATE TABLE invoice_lines ("
    "  company_id " T_INT " NOT NULL,"
    "  invoice_id " T_INT " NOT NULL,"
    "  line_no " T_INT " NOT NULL,"
    "  description TEXT NOT NULL,"
    "  quantity_milli " T_INT " NOT NULL CHECK (quantity_milli > 0),"
    "  unit_price_minor " T_INT " NOT NULL,"
    "  vat_rate_bp " T_INT " NOT NULL CHECK (vat_rate_bp IN (2500, 1200, 600, 0)),"
    "  labour " T_INT " NOT NULL CHECK (labour IN (0, 1)),"
    "  net_minor " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, invoice_id, line_no),"
    "  FOREIGN KEY (company_id, invoice_id) REFERENCES invoices (company_id, id)"
    ")" T_STRICT ";"

    "CREATE TABLE invoice_buyers ("
    "  company_id " T_INT " NOT NULL,"
    "  invoice_id " T_INT " NOT NULL,"
    "  buyer_no " T_INT " NOT NULL,"
    "  id_number TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  PRIMARY KEY (company_id, invoice_id, buyer_no),"
    "  FOREIGN KEY (company_id, invoice_id) REFERENCES invoices (company_id, id)"
    ")" T_STRICT ";"

    "CREATE TABLE payments ("
    "  company_id " T_INT " NOT NULL,"
    "  id " T_INT " NOT NULL,"
    "  invoice_id " T_INT " NOT NULL,"
    "  date " T_INT " NOT NULL,"
    "  amount_minor " T_INT " NOT NULL,"
    "  reference TEXT NOT NULL DEFAULT '',"
    "  source TEXT NOT NULL CHECK (source IN ('manual', 'bgmax', 'agency')),"
    "  created_at " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, id),"
    "  FOREIGN KEY (company_id, invoice_id) REFERENCES invoices (company_id, id)"
    ")" T_STRICT ";"
    "CREATE INDEX payments_invoice ON payments (company_id, invoice_id, id);"

    "CREATE TABLE history_events ("
    "  company_id " T_INT " NOT NULL,"
    "  id " T_INT " NOT NULL,"
    "  invoice_id " T_INT " NOT NULL,"
    "  at_us " T_INT " NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  message TEXT NOT NULL DEFAULT '',"
    "  data TEXT NOT NULL DEFAULT '{}' CHECK (" T_JSON("data") "),"
    "  PRIMARY KEY (company_id, id),"
    "  FOREIGN KEY (company_id, invoice_id) REFERENCES invoices (company_id, id)"
    ")" T_STRICT ";"
    "CREATE INDEX history_events_invoice ON history_events (company_id, invoice_id, id);"

    /* ---- the agency (Visma Amili) ---- */
    "CREATE TABLE amili_activations ("
    "  company_id " T_INT " NOT NULL PRIMARY KEY REFERENCES companies (id),"
    "  terms_version TEXT NOT NULL,"
    "  accepted_by_user " T_INT " NOT NULL REFERENCES users (id),"
    "  accepted_at " T_INT " NOT NULL,"
    "  account_id TEXT NOT NULL DEFAULT '',"
    "  creditor_id TEXT NOT NULL DEFAULT '',"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'active', 'failed')),"
    "  secret_encrypted " T_BLOB ","
    "  updated_at " T_INT " NOT NULL DEFAULT 0"
    ")" T_STRICT ";"

    "CREATE TABLE handover_batches ("
    "  company_id " T_INT " NOT NULL REFERENCES companies (id),"
    "  id " T_INT " NOT NULL,"
    "  created_by " T_INT " NOT NULL REFERENCES users (id),"
    "  created_at " T_INT " NOT NULL,"
    "  total " T_INT " NOT NULL CHECK (total >= 0),"
    "  PRIMARY KEY (company_id, id)"
    ")" T_STRICT ";"

    /* The primary key is what makes a second hand-over impossible. */
    "CREATE TABLE agency_claims ("
    "  company_id " T_INT " NOT NULL,"
    "  invoice_id " T_INT " NOT NULL,"
    "  claimed_at " T_INT " NOT NULL,"
    "  batch_id " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, invoice_id),"
    "  FOREIGN KEY (company_id, invoice_id) REFERENCES invoices (company_id, id),"
    "  FOREIGN KEY (company_id, batch_id) REFERENCES handover_batches (company_id, id)"
    ")" T_STRICT ";"
    "CREATE INDEX agency_claims_batch ON agency_claims (company_id, batch_id);"

    "CREATE TABLE outbox ("
    "  company_id " T_INT " NOT NULL,"
    "  id " T_INT " NOT NULL,"
    "  invoice_id " T_INT " NOT NULL,"
    "  batch_id " T_INT ","
    "  kind TEXT NOT NULL,"
    "  payload TEXT NOT NULL DEFAULT '{}' CHECK (" T_JSON("payload") "),"
    "  state TEXT NOT NULL DEFAULT 'pending'"
    "    CHECK (state IN ('pending', 'in_flight', 'done', 'failed')),"
    "  attempts " T_INT " NOT NULL DEFAULT 0 CHECK (attempts >= 0),"
    "  next_attempt_at " T_INT " NOT NULL DEFAULT 0,"
    "  lease_owner TEXT NOT NULL DEFAULT '',"
    "  lease_until " T_INT " NOT NULL DEFAULT 0,"
    "  idempotency_key TEXT NOT NULL,"
    "  last_error TEXT NOT NULL DEFAULT '',"
    "  created_at " T_INT " NOT NULL,"
    "  updated_at " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, id),"
    "  UNIQUE (company_id, idempotency_key),"
    "  FOREIGN KEY (company_id, invoice_id) REFERENCES invoices (company_id, id),"
    "  FOREIGN KEY (company_id, batch_id) REFERENCES handover_batches (company_id, id)"
    ")" T_STRICT ";"
    /* The dispatcher's work queue, across companies: only unfinished rows. */
    "CREATE INDEX outbox_due ON outbox (next_attempt_at, company_id, id)"
    "  WHERE state IN ('pending', 'in_flight');"
    "CREATE INDEX outbox_invoice ON outbox (company_id, invoice_id, id);"
    "CREATE INDEX outbox_batch ON outbox (company_id, batch_id, id);"

    "CREATE TABLE agency_cases ("
    "  company_id " T_INT " NOT NULL,"
    "  invoice_id " T_INT " NOT NULL,"
    "  case_id TEXT NOT NULL,"
    "  ocr TEXT NOT NULL DEFAULT '',"
    "  state TEXT NOT NULL DEFAULT '',"
    "  status TEXT NOT NULL DEFAULT '',"
    "  closed " T_INT " NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),"
    "  capital_minor " T_INT " NOT NULL DEFAULT 0,"
    "  fees_minor " T_INT " NOT NULL DEFAULT 0,"
    "  interest_minor " T_INT " NOT NULL DEFAULT 0,"
    "  paid_minor " T_INT " NOT NULL DEFAULT 0,"
    "  remaining_minor " T_INT " NOT NULL DEFAULT 0,"
    "  disputed " T_INT " NOT NULL DEFAULT 0 CHECK (disputed IN (0, 1)),"
    "  instalment_plan " T_INT " NOT NULL DEFAULT 0 CHECK (instalment_plan IN (0, 1)),"
    "  updated_at TEXT NOT NULL DEFAULT '',"
    "  synced_at " T_INT " NOT NULL DEFAULT 0,"
    "  raw TEXT NOT NULL DEFAULT '{}' CHECK (" T_JSON("raw") "),"
    "  PRIMARY KEY (company_id, invoice_id),"
    "  UNIQUE (company_id, case_id),"
    "  FOREIGN KEY (company_id, invoice_id) REFERENCES invoices (company_id, id)"
    ")" T_STRICT ";"

    /* last_updated: the agency's own timestamp text of the newest change seen. */
    "CREATE TABLE sync_cursors ("
    "  company_id " T_INT " NOT NULL PRIMARY KEY REFERENCES companies (id),"
    "  last_updated TEXT NOT NULL DEFAULT '',"
    "  synced_at " T_INT " NOT NULL DEFAULT 0"
    ")" T_STRICT ";"

    /* ---- manual reminders ---- */
    "CREATE TABLE reminders ("
    "  company_id " T_INT " NOT NULL,"
    "  id " T_INT " NOT NULL,"
    "  invoice_id " T_INT " NOT NULL,"
    "  date " T_INT " NOT NULL,"
    "  fee_minor " T_INT " NOT NULL DEFAULT 0 CHECK (fee_minor >= 0),"
    "  interest_minor " T_INT " NOT NULL DEFAULT 0 CHECK (interest_minor >= 0),"
    "  interest_rate_bp " T_INT " NOT NULL DEFAULT 0,"
    "  period_from " T_INT " NOT NULL,"
    "  period_to " T_INT " NOT NULL,"
    "  total_due_minor " T_INT " NOT NULL,"
    "  new_due_date " T_INT " NOT NULL,"
    "  ocr TEXT NOT NULL DEFAULT '',"
    "  pdf " T_BLOB ","
    "  created_at " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, id),"
    "  FOREIGN KEY (company_id, invoice_id) REFERENCES invoices (company_id, id)"
    ")" T_STRICT ";"
    "CREATE INDEX reminders_invoice ON reminders (company_id, invoice_id, id);"

    /* ---- the books ----
     * A voucher is balanced by construction of the database: its rows are
     * written first and its head (vouchers) last, as the closing marker.
     * - voucher_rows' foreign key to the head is DEFERRED: rows whose head
     *   never comes fail at COMMIT;
     * - the head's insert trigger refuses it unless its rows (two or more)
     *   sum to zero debit - credit;
     * - rows may not be added to a head that exists, and neither rows nor
     *   heads may be changed or deleted (corrections are new vouchers). */
    "CREATE TABLE vouchers ("
    "  company_id " T_INT " NOT NULL REFERENCES companies (id),"
    "  year " T_INT " NOT NULL,"
    "  number " T_INT " NOT NULL CHECK (number > 0),"
    "  date " T_INT " NOT NULL,"
    "  text TEXT NOT NULL DEFAULT '',"
    "  source TEXT NOT NULL DEFAULT '',"
    "  created_at " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, year, number)"
    ")" T_STRICT ";"
    "CREATE INDEX vouchers_date ON vouchers (company_id, date, year, number);"
    "CREATE TABLE voucher_rows ("
    "  company_id " T_INT " NOT NULL,"
    "  year " T_INT " NOT NULL,"
    "  number " T_INT " NOT NULL,"
    "  row_no " T_INT " NOT NULL,"
    "  account " T_INT " NOT NULL CHECK (account BETWEEN 1000 AND 9999),"
    "  debit_minor " T_INT " NOT NULL DEFAULT 0 CHECK (debit_minor >= 0),"
    "  credit_minor " T_INT " NOT NULL DEFAULT 0 CHECK (credit_minor >= 0),"
    "  CHECK (debit_minor = 0 OR credit_minor = 0),"
    "  PRIMARY KEY (company_id, year, number, row_no),"
    "  FOREIGN KEY (company_id, year, number) REFERENCES vouchers (company_id, year, number)"
    "    DEFERRABLE INITIALLY DEFERRED"
    ")" T_STRICT ";"
    T_VOUCHER_TRIGGERS

    /* ---- Bankgirot BgMax files: each imported once ---- */
    "CREATE TABLE bgmax_imports ("
    "  company_id " T_INT " NOT NULL REFERENCES companies (id),"
    "  file_identity TEXT NOT NULL,"
    "  imported_at " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, file_identity)"
    ")" T_STRICT ";",

    /* ---- hand-over to the agency ---- */
    /* 2: what the dispatcher and the status sync keep beside migration 1's
     * agency tables: why an activation failed; per case the agency's etag,
     * when it was registered (agency clock), how many of its state and
     * status history entries are already history events, the capital
     * recorded as agency payments and what was paid out; keys of synced
     * events already recorded (exactly once); the sealed access token;
     * payout specification lines for the books. */
    "ALTER TABLE amili_activations ADD COLUMN failure TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE agency_cases ADD COLUMN etag TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE agency_cases ADD COLUMN registered_at " T_INT " NOT NULL DEFAULT 0;"
    "ALTER TABLE agency_cases ADD COLUMN state_events " T_INT " NOT NULL DEFAULT 0;"
    "ALTER TABLE agency_cases ADD COLUMN status_events " T_INT " NOT NULL DEFAULT 0;"
    "ALTER TABLE agency_cases ADD COLUMN agency_paid_minor " T_INT " NOT NULL DEFAULT 0;"
    "ALTER TABLE agency_cases ADD COLUMN payout_minor " T_INT " NOT NULL DEFAULT 0;"
    "ALTER TABLE agency_cases ADD COLUMN original_invoice_url TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX agency_cases_unsynced ON agency_cases (company_id, registered_at)"
    "  WHERE synced_at = 0;"
    "CREATE TABLE agency_seen ("
    "  company_id " T_INT " NOT NULL REFERENCES companies (id),"
    "  key TEXT NOT NULL,"
    "  seen_at " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, key)"
    ")" T_STRICT ";"
    "CREATE TABLE agency_tokens ("
    "  api_code TEXT NOT NULL PRIMARY KEY,"
    "  sealed " T_BLOB " NOT NULL,"
    "  expires_at " T_INT " NOT NULL,"
    "  updated_at " T_INT " NOT NULL"
    ")" T_STRICT ";"
    "CREATE TABLE agency_payout_lines ("
    "  company_id " T_INT " NOT NULL REFERENCES companies (id),"
    "  payout_id TEXT NOT NULL,"
    "  line_no " T_INT " NOT NULL,"
    "  invoice_id " T_INT ","
    "  invoice_number TEXT NOT NULL DEFAULT '',"
    "  finance_category TEXT NOT NULL DEFAULT '',"
    "  article TEXT NOT NULL DEFAULT '',"
    "  amount_minor " T_INT " NOT NULL,"
    "  vat_minor " T_INT " NOT NULL DEFAULT 0,"
    "  total_minor " T_INT " NOT NULL,"
    "  booking_date " T_INT " NOT NULL,"
    "  payout_date " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, payout_id, line_no),"
    "  FOREIGN KEY (company_id, invoice_id) REFERENCES invoices (company_id, id)"
    ")" T_STRICT ";",
    /* ---- end Amili hand-over ---- */

    /* ---- books: reminders, vouchers, bank files ---- */
    /* 3: the money side.  The company's days to pay after a manual
     * reminder; per reminder the förseningsersättning, earlier unpaid fees,
     * its batch and the snapshot of its letter; reminder batches with their
     * merged letters; per invoice the fees and interest charged and paid,
     * the expected loss written down and the confirmed loss (net and VAT
     * per rate, to restore on recovery); the invoice a voucher concerns;
     * and the open invoices by due date with their remaining amounts, for
     * the aging sums without touching the table. */
    "ALTER TABLE companies ADD COLUMN reminder_due_days " T_INT " NOT NULL DEFAULT 10"
    "  CHECK (reminder_due_days BETWEEN 1 AND 60);"
    "ALTER TABLE reminders ADD COLUMN late_compensation_minor " T_INT " NOT NULL DEFAULT 0"
    "  CHECK (late_compensation_minor >= 0);"
    "ALTER TABLE reminders ADD COLUMN earlier_charges_minor " T_INT " NOT NULL DEFAULT 0"
    "  CHECK (earlier_charges_minor >= 0);"
    "ALTER TABLE reminders ADD COLUMN batch_id " T_INT " NOT NULL DEFAULT 0;"
    "ALTER TABLE reminders ADD COLUMN letter TEXT NOT NULL DEFAULT '{}'" T_LETTER_CHECK ";"
    "CREATE INDEX reminders_batch ON reminders (company_id, batch_id, id) WHERE batch_id <> 0;"
    "CREATE TABLE reminder_batches ("
    "  company_id " T_INT " NOT NULL REFERENCES companies (id),"
    "  id " T_INT " NOT NULL,"
    "  total " T_INT " NOT NULL CHECK (total >= 0),"
    "  pdf " T_BLOB ","
    "  created_at " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, id)"
    ")" T_STRICT ";"
    "CREATE TABLE invoice_books ("
    "  company_id " T_INT " NOT NULL,"
    "  invoice_id " T_INT " NOT NULL,"
    "  fee_charged_minor " T_INT " NOT NULL DEFAULT 0 CHECK (fee_charged_minor >= 0),"
    "  compensation_charged_minor " T_INT " NOT NULL DEFAULT 0"
    "    CHECK (compensation_charged_minor >= 0),"
    "  fees_paid_minor " T_INT " NOT NULL DEFAULT 0 CHECK (fees_paid_minor >= 0),"
    "  interest_charged_minor " T_INT " NOT NULL DEFAULT 0 CHECK (interest_charged_minor >= 0),"
    "  interest_paid_minor " T_INT " NOT NULL DEFAULT 0 CHECK (interest_paid_minor >= 0),"
    "  expected_loss_minor " T_INT " NOT NULL DEFAULT 0 CHECK (expected_loss_minor >= 0),"
    "  loss_gross_minor " T_INT " NOT NULL DEFAULT 0 CHECK (loss_gross_minor >= 0),"
    "  loss_net_minor " T_INT " NOT NULL DEFAULT 0,"
    "  loss_vat_25_minor " T_INT " NOT NULL DEFAULT 0,"
    "  loss_vat_12_minor " T_INT " NOT NULL DEFAULT 0,"
    "  loss_vat_6_minor " T_INT " NOT NULL DEFAULT 0,"
    "  recovered_minor " T_INT " NOT NULL DEFAULT 0"
    "    CHECK (recovered_minor >= 0 AND recovered_minor <= loss_gross_minor),"
    "  CHECK (fees_paid_minor <= fee_charged_minor + compensation_charged_minor),"
    "  CHECK (interest_paid_minor <= interest_charged_minor),"
    "  CHECK (loss_gross_minor = loss_net_minor + loss_vat_25_minor + loss_vat_12_minor"
    "         + loss_vat_6_minor),"
    "  PRIMARY KEY (company_id, invoice_id),"
    "  FOREIGN KEY (company_id, invoice_id) REFERENCES invoices (company_id, id)"
    ")" T_STRICT ";"
    /* The invoice a voucher concerns, beside the immutable voucher itself. */
    "CREATE TABLE voucher_invoices ("
    "  company_id " T_INT " NOT NULL,"
    "  year " T_INT " NOT NULL,"
    "  number " T_INT " NOT NULL,"
    "  invoice_id " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, year, number),"
    "  FOREIGN KEY (company_id, year, number) REFERENCES vouchers (company_id, year, number),"
    "  FOREIGN KEY (company_id, invoice_id) REFERENCES invoices (company_id, id)"
    ")" T_STRICT ";"
    "CREATE INDEX voucher_invoices_invoice ON voucher_invoices (company_id, invoice_id);"
    "CREATE INDEX invoices_open_due ON invoices (company_id, currency, due_date, remaining_minor)"
    "  WHERE state = 'open';",
    /* ---- end books ---- */
    /* The outbox's messages a person waits for (registrations, reports,
     * withdrawals) are leased before the uploads of original invoices. */
    "CREATE INDEX outbox_due_first ON outbox (next_attempt_at, company_id, id)"
    "  WHERE state IN ('pending', 'in_flight') AND kind <> 'upload_invoice';",
    /* The rules of the books: the fees and interest a payment paid (a
     * payment of only those still gets its row), the date up to which a
     * company's books are locked, and reference rates an administrator
     * added beside data/reference-rates.csv. */
    "ALTER TABLE payments ADD COLUMN fees_minor " T_INT " NOT NULL DEFAULT 0"
    "  CHECK (fees_minor >= 0);"
    "ALTER TABLE payments ADD COLUMN interest_minor " T_INT " NOT NULL DEFAULT 0"
    "  CHECK (interest_minor >= 0);"
    "CREATE TABLE company_rules ("
    "  company_id " T_INT " NOT NULL PRIMARY KEY,"
    "  books_locked_through " T_INT " NOT NULL DEFAULT 0,"
    "  FOREIGN KEY (company_id) REFERENCES companies (id)"
    ")" T_STRICT ";"
    "CREATE TABLE reference_rates ("
    "  valid_from " T_INT " NOT NULL PRIMARY KEY,"
    "  rate_bp " T_INT " NOT NULL CHECK (rate_bp >= -1000 AND rate_bp <= 5000),"
    "  source TEXT NOT NULL,"
    "  added_by TEXT NOT NULL DEFAULT '',"
    "  added_on " T_INT " NOT NULL"
    ")" T_STRICT ";",
    /* The customer-loss filter finds the expected losses by this index. */
    "CREATE INDEX invoice_books_expected_loss ON invoice_books (company_id, invoice_id)"
    "  WHERE expected_loss_minor > 0;",
    /* The reminder fee agreed when an invoice is issued is the invoice's
     * (lag 1981:739, 2 §); invoices issued before take the company's
     * setting of the day of this migration. */
    "ALTER TABLE invoices ADD COLUMN reminder_fee_minor " T_INT " NOT NULL DEFAULT 0"
    "  CHECK (reminder_fee_minor >= 0);"
    "UPDATE invoices SET reminder_fee_minor = coalesce((SELECT c.reminder_fee_minor"
    "  FROM companies AS c WHERE c.id = invoices.company_id AND c.reminder_fee_agreed = 1), 0);",
    /* A confirmed loss on a ROT/RUT invoice clears the tax reduction of
     * the unpaid part from 1513 too: that part of loss_gross_minor. */
    "ALTER TABLE invoice_books ADD COLUMN loss_tax_reduction_minor " T_INT " NOT NULL DEFAULT 0"
    "  CHECK (loss_tax_reduction_minor >= 0);",
    /* API tokens expire (0: never) and note when they were last used, to
     * the hour (0: not yet). */
    "ALTER TABLE api_tokens ADD COLUMN expires_at " T_INT " NOT NULL DEFAULT 0;"
    "ALTER TABLE api_tokens ADD COLUMN last_used_at " T_INT " NOT NULL DEFAULT 0;",
    /* Why an invoice carries no VAT: '' (nothing said), reverse charge on
     * building services, goods abroad; its sales account follows. */
    "ALTER TABLE invoices ADD COLUMN zero_vat TEXT NOT NULL DEFAULT ''"
    "  CHECK (zero_vat IN ('', 'construction', 'goods'));",

    /* Bank payments that matched no invoice, held on 2420 until a person
     * places them (invoice_id then names the invoice; 0 while open), with
     * the invoice the payer's message suggests; and the customer each
     * payer bankgiro paid for by OCR or reference, which identifies the
     * payer of a later payment. */
    "CREATE TABLE unmatched_payments ("
    "  company_id " T_INT " NOT NULL,"
    "  id " T_INT " NOT NULL,"
    "  file_identity TEXT NOT NULL,"
    "  line " T_INT " NOT NULL,"
    "  date " T_INT " NOT NULL,"
    "  amount_minor " T_INT " NOT NULL CHECK (amount_minor > 0),"
    "  reference TEXT NOT NULL,"
    "  payer_bankgiro TEXT NOT NULL,"
    "  payer_name TEXT NOT NULL,"
    "  message TEXT NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  suggested_invoice_id " T_INT " NOT NULL DEFAULT 0,"
    "  invoice_id " T_INT " NOT NULL DEFAULT 0,"
    "  confirmed_by TEXT NOT NULL DEFAULT '',"
    "  created_at " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, id),"
    "  FOREIGN KEY (company_id) REFERENCES companies (id)"
    ")" T_STRICT ";"
    "CREATE INDEX unmatched_payments_open ON unmatched_payments (company_id, id)"
    "  WHERE invoice_id = 0;"
    "CREATE TABLE payer_bankgiros ("
    "  company_id " T_INT " NOT NULL,"
    "  bankgiro TEXT NOT NULL,"
    "  customer_id " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, bankgiro),"
    "  FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, id)"
    ")" T_STRICT ";",

    /* The month the company's fiscal years start in (1 = the calendar
     * year; bokföringslagen 3 kap. 1 §): voucher series and the SIE
     * export follow it. */
    "ALTER TABLE companies ADD COLUMN fiscal_year_start_month " T_INT " NOT NULL DEFAULT 1"
    "  CHECK (fiscal_year_start_month BETWEEN 1 AND 12);",

    /* A payment's source may be a camt.054 file: the table is rebuilt
     * with the wider CHECK (SQLite cannot alter one), its rows and index
     * as they were. */
    "CREATE TABLE payments_v2 ("
    "  company_id " T_INT " NOT NULL,"
    "  id " T_INT " NOT NULL,"
    "  invoice_id " T_INT " NOT NULL,"
    "  date " T_INT " NOT NULL,"
    "  amount_minor " T_INT " NOT NULL,"
    "  reference TEXT NOT NULL DEFAULT '',"
    "  source TEXT NOT NULL CHECK (source IN ('manual', 'bgmax', 'camt054', 'agency')),"
    "  created_at " T_INT " NOT NULL,"
    "  fees_minor " T_INT " NOT NULL DEFAULT 0 CHECK (fees_minor >= 0),"
    "  interest_minor " T_INT " NOT NULL DEFAULT 0 CHECK (interest_minor >= 0),"
    "  PRIMARY KEY (company_id, id),"
    "  FOREIGN KEY (company_id, invoice_id) REFERENCES invoices (company_id, id)"
    ")" T_STRICT ";"
    "INSERT INTO payments_v2 (company_id, id, invoice_id, date, amount_minor, reference, source,"
    "  created_at, fees_minor, interest_minor)"
    "  SELECT company_id, id, invoice_id, date, amount_minor, reference, source, created_at,"
    "  fees_minor, interest_minor FROM payments;"
    "DROP TABLE payments;"
    "ALTER TABLE payments_v2 RENAME TO payments;"
    "CREATE INDEX payments_invoice ON payments (company_id, invoice_id, id);",

    /* Stops of reminders, one per invoice or customer card: the reason,
     * the first and last stopped day (day numbers; until_day 0: until
     * lifted; a lifted stop that began before today ends the day before,
     * so its days stay known for the interest), "no interest from the
     * stop date", and who set it when.  core/reminder_stop.h decides what
     * a stop means. */
    "CREATE TABLE reminder_stops ("
    "  company_id " T_INT " NOT NULL,"
    "  target TEXT NOT NULL CHECK (target IN ('invoice', 'customer')),"
    "  target_id " T_INT " NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('dispute', 'payment_plan', 'other')),"
    "  text TEXT NOT NULL,"
    "  since_day " T_INT " NOT NULL,"
    "  until_day " T_INT " NOT NULL,"
    "  no_interest " T_INT " NOT NULL CHECK (no_interest IN (0, 1)),"
    "  set_by TEXT NOT NULL,"
    "  set_at " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, target, target_id),"
    "  FOREIGN KEY (company_id) REFERENCES companies (id)"
    ")" T_STRICT ";",

    /* The company's Swish för företag number (core/swish.h: 10 digits,
     * 123...; '' = none), printed with a payment QR code on reminders. */
    "ALTER TABLE companies ADD COLUMN swish_number TEXT NOT NULL DEFAULT '';",

    /* The reports (store_reports.c) aggregate by day in SQL, each
     * statement reading one of these indexes alone (covering): reminders
     * by date with their fees; payments by date, and per invoice by date,
     * with their amounts; hand-overs by their instant; invoices by
     * invoice date and by due date with their amounts, the open ones with
     * what is left, and by id with their currency and invoice date. */
    "CREATE INDEX reminders_date ON reminders"
    "  (company_id, date, invoice_id, fee_minor, late_compensation_minor);"
    "CREATE INDEX payments_date ON payments (company_id, date, invoice_id, amount_minor);"
    "CREATE INDEX payments_invoice_date ON payments"
    "  (company_id, invoice_id, date, amount_minor, fees_minor, interest_minor);"
    "CREATE INDEX agency_claims_claimed ON agency_claims (company_id, claimed_at, invoice_id);"
    "CREATE INDEX invoices_issued ON invoices"
    "  (company_id, currency, invoice_date, customer_part_minor, credited_minor);"
    "CREATE INDEX invoices_open_issued ON invoices"
    "  (company_id, currency, state, invoice_date, remaining_minor) WHERE state = 'open';"
    "CREATE INDEX invoices_due_sums ON invoices"
    "  (company_id, currency, due_date, id, customer_part_minor, credited_minor);"
    "CREATE INDEX invoices_id_issued ON invoices (company_id, id, currency, invoice_date);",
    /* Reminder policies and the daily dunning run (core/dunning.h).  A
     * company's default policy has no customer (customer_id NULL, one per
     * company); a customer's override names the customer.  Levels are
     * numbered from 1.  A run is one per company and day (UNIQUE), its
     * items one per invoice; an item is marked done in the transaction
     * that made its reminder or hand-over, so a run never acts twice.  A
     * reminder of a run carries its level (0: manual), one per invoice
     * and level; the invoice keeps its highest level and that reminder's
     * day for the run's one query. */
    "CREATE TABLE dunning_policies ("
    "  company_id " T_INT " NOT NULL,"
    "  id " T_INT " NOT NULL,"
    "  customer_id " T_INT ","
    "  enabled " T_INT " NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),"
    "  minimum_minor " T_INT " NOT NULL DEFAULT 0 CHECK (minimum_minor >= 0),"
    "  final_step TEXT NOT NULL CHECK (final_step IN ('none', 'handover')),"
    "  handover_days " T_INT " NOT NULL DEFAULT 0 CHECK (handover_days >= 0),"
    "  approval TEXT NOT NULL CHECK (approval IN ('manual', 'automatic')),"
    "  updated_by TEXT NOT NULL DEFAULT '',"
    "  updated_by_user " T_INT " NOT NULL DEFAULT 0,"
    "  updated_at " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, id),"
    "  UNIQUE (company_id, customer_id),"
    "  FOREIGN KEY (company_id) REFERENCES companies (id),"
    "  FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, id)"
    ")" T_STRICT ";"
    "CREATE UNIQUE INDEX dunning_policies_default ON dunning_policies (company_id)"
    "  WHERE customer_id IS NULL;"
    "CREATE TABLE dunning_levels ("
    "  company_id " T_INT " NOT NULL,"
    "  policy_id " T_INT " NOT NULL,"
    "  level " T_INT " NOT NULL CHECK (level >= 1),"
    "  days " T_INT " NOT NULL CHECK (days >= 0),"
    "  anchor TEXT NOT NULL CHECK (anchor IN ('due', 'previous')),"
    "  fee " T_INT " NOT NULL CHECK (fee IN (0, 1)),"
    "  channel TEXT NOT NULL CHECK (channel IN ('email', 'letter', 'both')),"
    "  text_sv TEXT NOT NULL DEFAULT '',"
    "  text_en TEXT NOT NULL DEFAULT '',"
    "  PRIMARY KEY (company_id, policy_id, level),"
    "  FOREIGN KEY (company_id, policy_id) REFERENCES dunning_policies (company_id, id)"
    ")" T_STRICT ";"
    "CREATE TABLE dunning_runs ("
    "  company_id " T_INT " NOT NULL,"
    "  id " T_INT " NOT NULL,"
    "  run_date " T_INT " NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('proposed', 'approved', 'done')),"
    "  approval TEXT NOT NULL CHECK (approval IN ('manual', 'automatic')),"
    "  items " T_INT " NOT NULL DEFAULT 0,"
    "  letters_batch_id " T_INT " NOT NULL DEFAULT 0,"
    "  created_by TEXT NOT NULL DEFAULT '',"
    "  created_at " T_INT " NOT NULL,"
    "  approved_by TEXT NOT NULL DEFAULT '',"
    "  approved_at " T_INT " NOT NULL DEFAULT 0,"
    "  finished_at " T_INT " NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (company_id, id),"
    "  UNIQUE (company_id, run_date),"
    "  FOREIGN KEY (company_id) REFERENCES companies (id)"
    ")" T_STRICT ";"
    "CREATE INDEX dunning_runs_unfinished ON dunning_runs (company_id, id)"
    "  WHERE state = 'approved';"
    "CREATE TABLE dunning_items ("
    "  company_id " T_INT " NOT NULL,"
    "  run_id " T_INT " NOT NULL,"
    "  invoice_id " T_INT " NOT NULL,"
    "  due_date " T_INT " NOT NULL,"
    "  remaining_minor " T_INT " NOT NULL,"
    "  action TEXT NOT NULL CHECK (action IN ('none', 'remind', 'handover')),"
    "  level " T_INT " NOT NULL DEFAULT 0,"
    "  reason TEXT NOT NULL DEFAULT '',"
    "  detail TEXT NOT NULL DEFAULT '',"
    "  channel TEXT NOT NULL DEFAULT '',"
    "  fee " T_INT " NOT NULL DEFAULT 0 CHECK (fee IN (0, 1)),"
    "  fee_minor " T_INT " NOT NULL DEFAULT 0 CHECK (fee_minor >= 0),"
    "  state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'skipped')),"
    "  result TEXT NOT NULL DEFAULT '',"
    "  reminder_id " T_INT " NOT NULL DEFAULT 0,"
    "  updated_at " T_INT " NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (company_id, run_id, invoice_id),"
    "  FOREIGN KEY (company_id, run_id) REFERENCES dunning_runs (company_id, id),"
    "  FOREIGN KEY (company_id, invoice_id) REFERENCES invoices (company_id, id)"
    ")" T_STRICT ";"
    "CREATE INDEX dunning_items_pending ON dunning_items (company_id, run_id, invoice_id)"
    "  WHERE state = 'pending';"
    "ALTER TABLE reminders ADD COLUMN level " T_INT " NOT NULL DEFAULT 0 CHECK (level >= 0);"
    "CREATE UNIQUE INDEX reminders_level ON reminders (company_id, invoice_id, level)"
    "  WHERE level > 0;"
    "ALTER TABLE invoices ADD COLUMN dunning_level " T_INT " NOT NULL DEFAULT 0;"
    "ALTER TABLE invoices ADD COLUMN dunning_date " T_INT " NOT NULL DEFAULT 0;"
    "CREATE INDEX invoices_dunning ON invoices (company_id, dunning_date)"
    "  WHERE dunning_level > 0;",
    /* E-mail of reminders: one row a reminder (UNIQUE (company_id,
     * reminder_id): a reminder is e-mailed at most once), delivered by the
     * mail dispatcher with the agency outbox's discipline — a lease (owner,
     * lease_until) taken with attempts + 1, only the lease's owner finishes
     * it, retries at next_attempt_at.  state: queued, sending (leased),
     * retry (a 4xx or no answer; next_attempt_at set), sent, failed (a 5xx
     * or given up).  message_id is made once when queued and kept across
     * retries; last_answer is the server's last reply line. */
    "CREATE TABLE mail_outbox ("
    "  company_id " T_INT " NOT NULL,"
    "  id " T_INT " NOT NULL,"
    "  invoice_id " T_INT " NOT NULL,"
    "  reminder_id " T_INT " NOT NULL,"
    "  recipient TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  message_id TEXT NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'queued'"
    "    CHECK (state IN ('queued', 'sending', 'retry', 'sent', 'failed')),"
    "  attempts " T_INT " NOT NULL DEFAULT 0 CHECK (attempts >= 0),"
    "  next_attempt_at " T_INT " NOT NULL DEFAULT 0,"
    "  lease_owner TEXT NOT NULL DEFAULT '',"
    "  lease_until " T_INT " NOT NULL DEFAULT 0,"
    "  last_answer TEXT NOT NULL DEFAULT '',"
    "  sent_at " T_INT " NOT NULL DEFAULT 0,"
    "  created_at " T_INT " NOT NULL,"
    "  updated_at " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, id),"
    "  UNIQUE (company_id, reminder_id),"
    "  FOREIGN KEY (company_id, invoice_id) REFERENCES invoices (company_id, id),"
    "  FOREIGN KEY (company_id, reminder_id) REFERENCES reminders (company_id, id)"
    ")" T_STRICT ";"
    /* The dispatcher's work queue, across companies: only unfinished rows. */
    "CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at, company_id, id)"
    "  WHERE state IN ('queued', 'sending', 'retry');"
    "CREATE INDEX mail_outbox_invoice ON mail_outbox (company_id, invoice_id, id);",
    /* Credit notes (kreditfakturor, core/credit_note.h): numbered in a
     * series of their own per company (number 1, 2, 3 ... without gaps,
     * taken under the lock of the sequences row "credit-note"), against an
     * invoice (invoice_id) or free-standing (invoice_id 0), with what they
     * credit per VAT rate, of the ROT/RUT part and of the customer's part
     * (which reduced the invoice's remaining amount), and the voucher that
     * booked them (voucher_number 0: none, kontantmetoden). */
    "CREATE TABLE credit_notes ("
    "  company_id " T_INT " NOT NULL,"
    "  id " T_INT " NOT NULL,"
    "  number " T_INT " NOT NULL CHECK (number > 0),"
    "  invoice_id " T_INT " NOT NULL DEFAULT 0,"
    "  customer_id " T_INT " NOT NULL,"
    "  date " T_INT " NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  net_25_minor " T_INT " NOT NULL DEFAULT 0,"
    "  net_12_minor " T_INT " NOT NULL DEFAULT 0,"
    "  net_6_minor " T_INT " NOT NULL DEFAULT 0,"
    "  net_0_minor " T_INT " NOT NULL DEFAULT 0,"
    "  vat_25_minor " T_INT " NOT NULL DEFAULT 0,"
    "  vat_12_minor " T_INT " NOT NULL DEFAULT 0,"
    "  vat_6_minor " T_INT " NOT NULL DEFAULT 0,"
    "  total_minor " T_INT " NOT NULL CHECK (total_minor > 0),"
    "  tax_reduction_minor " T_INT " NOT NULL DEFAULT 0 CHECK (tax_reduction_minor >= 0),"
    "  customer_part_minor " T_INT " NOT NULL,"
    "  voucher_year " T_INT " NOT NULL DEFAULT 0,"
    "  voucher_number " T_INT " NOT NULL DEFAULT 0,"
    "  created_by TEXT NOT NULL DEFAULT '',"
    "  created_at " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, id),"
    "  UNIQUE (company_id, number),"
    "  FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, id),"
    "  CHECK (total_minor = net_25_minor + net_12_minor + net_6_minor + net_0_minor"
    "    + vat_25_minor + vat_12_minor + vat_6_minor),"
    "  CHECK (customer_part_minor = total_minor - tax_reduction_minor)"
    ")" T_STRICT ";"
    "CREATE INDEX credit_notes_invoice ON credit_notes (company_id, invoice_id, id);",

    /* A run's items without foreign keys: a proposal writes one per
     * candidate invoice (100 000 for a large company), and the two
     * per-row checks — each a lookup and a row lock on the invoice and on
     * the run — were most of the time of writing them on PostgreSQL.  The
     * rows are written only by the proposal, in the transaction that made
     * the run and read the invoices, and neither runs nor invoices are
     * ever deleted, so the references hold without the checks.  The table
     * is rebuilt (SQLite cannot drop a constraint), its rows and index as
     * they were. */
    "CREATE TABLE dunning_items_v2 ("
    "  company_id " T_INT " NOT NULL,"
    "  run_id " T_INT " NOT NULL,"
    "  invoice_id " T_INT " NOT NULL,"
    "  due_date " T_INT " NOT NULL,"
    "  remaining_minor " T_INT " NOT NULL,"
    "  action TEXT NOT NULL CHECK (action IN ('none', 'remind', 'handover')),"
    "  level " T_INT " NOT NULL DEFAULT 0,"
    "  reason TEXT NOT NULL DEFAULT '',"
    "  detail TEXT NOT NULL DEFAULT '',"
    "  channel TEXT NOT NULL DEFAULT '',"
    "  fee " T_INT " NOT NULL DEFAULT 0 CHECK (fee IN (0, 1)),"
    "  fee_minor " T_INT " NOT NULL DEFAULT 0 CHECK (fee_minor >= 0),"
    "  state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'skipped')),"
    "  result TEXT NOT NULL DEFAULT '',"
    "  reminder_id " T_INT " NOT NULL DEFAULT 0,"
    "  updated_at " T_INT " NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (company_id, run_id, invoice_id)"
    ")" T_STRICT ";"
    "INSERT INTO dunning_items_v2 (company_id, run_id, invoice_id, due_date, remaining_minor,"
    "  action, level, reason, detail, channel, fee, fee_minor, state, result, reminder_id,"
    "  updated_at)"
    "  SELECT company_id, run_id, invoice_id, due_date, remaining_minor, action, level, reason,"
    "  detail, channel, fee, fee_minor, state, result, reminder_id, updated_at"
    "  FROM dunning_items;"
    "DROP TABLE dunning_items;"
    "ALTER TABLE dunning_items_v2 RENAME TO dunning_items;"
    "CREATE INDEX dunning_items_pending ON dunning_items (company_id, run_id, invoice_id)"
    "  WHERE state = 'pending';",
    /* Webhooks: a company's endpoints (url, the event types it wants as
     * a space-separated list, the signing secret made by the product and
     * shown once, enabled) and the deliveries (the outbox: one row an
     * event and endpoint).  event_id is the event's id, the same for every
     * endpoint and every try (receivers dedupe by it).  Deliveries go out
     * with the mail outbox's discipline — a lease (owner, lease_until)
     * taken with attempts + 1, retries at next_attempt_at — and in order
     * per (endpoint, invoice): only the oldest unfinished row of each is
     * leased.  state: queued, sending (leased), retry, delivered, failed
     * (given up).  last_status is the last HTTP status (0: no answer),
     * last_answer a short excerpt of the answer or the transport error. */
    "CREATE TABLE webhook_endpoints ("
    "  company_id " T_INT " NOT NULL,"
    "  id " T_INT " NOT NULL,"
    "  url TEXT NOT NULL,"
    "  event_types TEXT NOT NULL,"
    "  secret TEXT NOT NULL,"
    "  enabled " T_INT " NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),"
    "  deleted_at " T_INT " NOT NULL DEFAULT 0,"
    "  created_at " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, id),"
    "  FOREIGN KEY (company_id) REFERENCES companies (id)"
    ")" T_STRICT ";"
    "CREATE TABLE webhook_deliveries ("
    "  company_id " T_INT " NOT NULL,"
    "  id " T_INT " NOT NULL,"
    "  endpoint_id " T_INT " NOT NULL,"
    "  invoice_id " T_INT " NOT NULL,"
    "  event_id TEXT NOT NULL,"
    "  event_type TEXT NOT NULL,"
    "  payload TEXT NOT NULL CHECK (" T_JSON("payload") "),"
    "  state TEXT NOT NULL DEFAULT 'queued'"
    "    CHECK (state IN ('queued', 'sending', 'retry', 'delivered', 'failed')),"
    "  attempts " T_INT " NOT NULL DEFAULT 0 CHECK (attempts >= 0),"
    "  next_attempt_at " T_INT " NOT NULL DEFAULT 0,"
    "  lease_owner TEXT NOT NULL DEFAULT '',"
    "  lease_until " T_INT " NOT NULL DEFAULT 0,"
    "  last_status " T_INT " NOT NULL DEFAULT 0,"
    "  last_answer TEXT NOT NULL DEFAULT '',"
    "  delivered_at " T_INT " NOT NULL DEFAULT 0,"
    "  created_at " T_INT " NOT NULL,"
    "  updated_at " T_INT " NOT NULL,"
    "  PRIMARY KEY (company_id, id),"
    "  UNIQUE (company_id, endpoint_id, event_id),"
    "  FOREIGN KEY (company_id, endpoint_id) REFERENCES webhook_endpoints (company_id, id)"
    ")" T_STRICT ";"
    /* The dispatcher's work queue, across companies: only unfinished rows. */
    "CREATE INDEX webhook_deliveries_due ON webhook_deliveries"
    "  (next_attempt_at, company_id, id) WHERE state IN ('queued', 'sending', 'retry');"
    /* The order per (endpoint, invoice): is an older one unfinished? */
    "CREATE INDEX webhook_deliveries_order ON webhook_deliveries"
    "  (company_id, endpoint_id, invoice_id, id) WHERE state IN ('queued', 'sending', 'retry');",
    /* The customer ledger (store_ledger.c): the SEK invoices of a company
     * (or of a customer) with every column the balance on a day needs,
     * read from the index alone; and the capital Visma Amili paid out, by
     * invoice. */
    "CREATE INDEX invoices_ledger ON invoices (company_id, currency, invoice_date, customer_id,"
    "  id, due_date, customer_part_minor, paid_minor, credited_minor, state, agency_state);"
    "CREATE INDEX agency_payout_lines_invoice ON agency_payout_lines"
    "  (company_id, invoice_id, finance_category, payout_date, amount_minor);",

    /* The e-mail outbox carries customer statements too (kind
     * 'statement'): a statement's mail names the customer, not an invoice
     * or a reminder, and keeps what it sends — the text (body), the PDF
     * (attachment, attachment_name) and the statement's date and period —
     * made when it was queued, so that it goes out as the user saw it.  A
     * reminder's mail stays one per reminder (UNIQUE (company_id,
     * reminder_id); a statement's reminder_id is NULL), and names its
     * invoice's customer.  The table is rebuilt (SQLite cannot drop a NOT
     * NULL), its rows and indexes as they were. */
    "CREATE TABLE mail_outbox_v2 ("
    "  company_id " T_INT " NOT NULL,"
    "  id " T_INT " NOT NULL,"
    "  kind TEXT NOT NULL DEFAULT 'reminder' CHECK (kind IN ('reminder', 'statement')),"
    "  invoice_id " T_INT ","
    "  reminder_id " T_INT ","
    "  customer_id " T_INT ","
    "  recipient TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  message_id TEXT NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'queued'"
    "    CHECK (state IN ('queued', 'sending', 'retry', 'sent', 'failed')),"
    "  attempts " T_INT " NOT NULL DEFAULT 0 CHECK (attempts >= 0),"
    "  next_attempt_at " T_INT " NOT NULL DEFAULT 0,"
    "  lease_owner TEXT NOT NULL DEFAULT '',"
    "  lease_until " T_INT " NOT NULL DEFAULT 0,"
    "  last_answer TEXT NOT NULL DEFAULT '',"
    "  sent_at " T_INT " NOT NULL DEFAULT 0,"
    "  created_at " T_INT " NOT NULL,"
    "  updated_at " T_INT " NOT NULL,"
    "  as_of " T_INT " NOT NULL DEFAULT 0,"
    "  period_from " T_INT " NOT NULL DEFAULT 0,"
    "  period_to " T_INT " NOT NULL DEFAULT 0,"
    "  body TEXT NOT NULL DEFAULT '',"
    "  attachment " T_BLOB ","
    "  attachment_name TEXT NOT NULL DEFAULT '',"
    "  PRIMARY KEY (company_id, id),"
    "  UNIQUE (company_id, reminder_id),"
    "  FOREIGN KEY (company_id, invoice_id) REFERENCES invoices (company_id, id),"
    "  FOREIGN KEY (company_id, reminder_id) REFERENCES reminders (company_id, id),"
    "  FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, id),"
    "  CHECK ((kind = 'reminder' AND invoice_id IS NOT NULL AND reminder_id IS NOT NULL)"
    "    OR (kind = 'statement' AND customer_id IS NOT NULL AND attachment IS NOT NULL))"
    ")" T_STRICT ";"
    "INSERT INTO mail_outbox_v2 (company_id, id, kind, invoice_id, reminder_id, customer_id,"
    "  recipient, subject, message_id, state, attempts, next_attempt_at, lease_owner,"
    "  lease_until, last_answer, sent_at, created_at, updated_at)"
    "  SELECT m.company_id, m.id, 'reminder', m.invoice_id, m.reminder_id, i.customer_id,"
    "  m.recipient, m.subject, m.message_id, m.state, m.attempts, m.next_attempt_at,"
    "  m.lease_owner, m.lease_until, m.last_answer, m.sent_at, m.created_at, m.updated_at"
    "  FROM mail_outbox AS m JOIN invoices AS i"
    "  ON i.company_id = m.company_id AND i.id = m.invoice_id;"
    "DROP TABLE mail_outbox;"
    "ALTER TABLE mail_outbox_v2 RENAME TO mail_outbox;"
    "CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at, company_id, id)"
    "  WHERE state IN ('queued', 'sending', 'retry');"
    "CREATE INDEX mail_outbox_invoice ON mail_outbox (company_id, invoice_id, id);"
    "CREATE INDEX mail_outbox_customer ON mail_outbox (company_id, customer_id, id);",

    /* The daily note of invoices falling due (store_overdue.h): how far
     * each company's has come, as a position in (due_date, id) order.  A
     * company without a row has not been swept yet; its first sweep
     * starts the mark at the day before, noting nothing. */
    "CREATE TABLE overdue_marks ("
    "  company_id " T_INT " NOT NULL PRIMARY KEY REFERENCES companies (id),"
    "  due_date " T_INT " NOT NULL,"
    "  invoice_id " T_INT " NOT NULL,"
    "  updated_at " T_INT " NOT NULL"
    ")" T_STRICT ";",

    /* Secondary indexes set aside by a bulk load (store_indexes_defer),
     * each with the statement that builds it again. */
    "CREATE TABLE deferred_indexes ("
    "  name TEXT NOT NULL PRIMARY KEY,"
    "  table_name TEXT NOT NULL,"
    "  sql TEXT NOT NULL"
    ")" T_STRICT ";",

    /* The customer's name kept on the invoice row, so that a page of the
     * invoice list (store_invoice_list.c) and an invoice are read from the
     * invoice rows alone, without a lookup of the customer per row.  The
     * store keeps it right in the transaction of every write: an invoice
     * written takes its customer's name, and a customer's new name goes to
     * all of the customer's invoices (store_customers.c).  Filled here from
     * the customers for the invoices there are (UPDATE ... FROM: SQLite
     * 3.33 and later, as PostgreSQL). */
    "ALTER TABLE invoices ADD COLUMN customer_name TEXT NOT NULL DEFAULT '';"
    "UPDATE invoices SET customer_name = c.name FROM customers AS c"
    "  WHERE c.company_id = invoices.company_id AND c.id = invoices.customer_id;",

#undef SCHEMA_ADDRESS

    /* clang-format on */
