// The payment settings form's logic: an IBAN shown in groups of four and sent compact, and only the
// fields that changed sent to configuration/payment. The API checks the IBAN, BIC and provider
// address and answers per field; nothing of those rules lives here.

export const PAYMENT_FIELDS = ['creditor_name', 'iban', 'bic', 'reference_scheme', 'provider_url_template'];
export const REFERENCE_SCHEMES = ['be_structured', 'rf_creditor', 'none'];

/** "be71 0961-2345 6769" → "BE71096123456769": what banks and the API compare. */
export function compactIban(value) {
    return String(value ?? '')
        .replace(/[\s-]+/g, '')
        .toUpperCase();
}

/** The printed form of an IBAN: upper case in groups of four ("BE71 0961 2345 6769"). */
export function formatIban(value) {
    const compact = compactIban(value);
    return compact.replace(/(.{4})(?=.)/g, '$1 ');
}

function normalise(name, value) {
    if (value === undefined || value === null) return '';
    if (name === 'iban') return compactIban(value);
    if (name === 'bic') return String(value).replace(/\s+/g, '').toUpperCase();
    return typeof value === 'string' ? value.trim() : value;
}

/** The payment settings that differ from the record (IBAN and BIC compared compact); {} when none. */
export function paymentChanges(values, record = {}) {
    const out = {};
    for (const name of PAYMENT_FIELDS) {
        if (values[name] === undefined) continue;
        const value = normalise(name, values[name]);
        if (value === normalise(name, record[name])) continue;
        out[name] = value;
    }
    return out;
}

/** The form's starting values: the API's record with the IBAN in groups of four. */
export function paymentRecord(settings) {
    return { ...settings, iban: formatIban(settings.iban), id: 'payment' };
}

/** "{invoice_number}, {amount}, …" from the API's list of placeholders. */
export function placeholderList(placeholders = []) {
    return placeholders.map((name) => `{${name}}`).join(', ');
}
