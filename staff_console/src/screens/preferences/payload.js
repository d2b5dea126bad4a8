// What the preferences form sends: the API's fields only, as JSON, or as multipart when a logo or
// favicon is uploaded (multipart needs booleans as "true"/"false" and no value as "").
// No rule of the preferences lives here: the API checks everything and answers per field.

export const SETTINGS = [
    'use_organisation_logo',
    'use_organisation_colours',
    'primary_colour',
    'secondary_colour',
    'support_email',
    'website',
    'support_phone',
    'terms_url',
    'privacy_url',
    'advance_changes_allowed',
    'advance_range',
    'advance_fixed_amount',
    'advance_min_percentage',
    'advance_max_percentage',
    'invoices_visible',
    'payment_status_visible',
    'cost_visualisation',
    'remove_logo',
    'remove_favicon',
];
export const FILES = ['logo', 'favicon'];
// The organisation's own logo and colours (configuration/general), which the portal follows by default.
export const GENERAL_SETTINGS = ['primary_colour', 'secondary_colour', 'remove_logo'];

function emptyToNull(name, value) {
    if (value === undefined) return undefined;
    if (name.startsWith('advance_') && name !== 'advance_range' && name !== 'advance_changes_allowed') {
        return value === '' ? null : value;
    }
    return value === null ? '' : value;
}

/** Equal values; a decimal comes back as text ("10.00") and leaves a number input as a number (10). */
function same(a, b) {
    if (a === b) return true;
    if (typeof a !== 'number' && typeof b !== 'number') return false;
    if (a === null || b === null || a === '' || b === '') return false;
    return Number(a) === Number(b);
}

/** The settings that differ from the record; {} when nothing changed. */
export function changedSettings(values, record = {}, settings = SETTINGS) {
    const out = {};
    for (const name of settings) {
        const value = emptyToNull(name, values[name]);
        if (value === undefined) continue;
        if (name.startsWith('remove_') && !value) continue;
        if (same(value, emptyToNull(name, record[name]) ?? null)) continue;
        out[name] = value;
    }
    return out;
}

export function chosenFiles(values) {
    const out = {};
    for (const name of FILES) {
        const file = values[name]?.rawFile;
        if (file) out[name] = file;
    }
    return out;
}

/** JSON body, or a FormData when files are sent. */
export function preferencesBody(values, record = {}, names = SETTINGS) {
    const settings = changedSettings(values, record, names);
    const files = chosenFiles(values);
    if (!Object.keys(files).length) return settings;
    const form = new FormData();
    for (const [name, value] of Object.entries(settings)) {
        form.append(name, value === null ? '' : String(value));
    }
    for (const [name, file] of Object.entries(files)) form.append(name, file, file.name);
    return form;
}

/** The API's warnings grouped by field: {primary_colour: ['…'], …}. */
export function warningsByField(warnings = []) {
    const out = {};
    for (const warning of warnings || []) {
        (out[warning.field] ||= []).push(warning.detail);
    }
    return out;
}
