// The notification defaults form's logic: the kinds come from the API (a kind added there shows
// without a console release), and only what changed is sent to configuration/notifications.

// Settings beside the kinds that the form edits when the API has them.
export const NOTIFICATION_SETTINGS = ['reminder_days', 'usage_threshold', 'usage_comparison'];
export const USAGE_COMPARISONS = ['last_year', 'similar_homes', 'both'];

/** The form's values: {enabled: {<kind>: bool}, reminder_days, …} from the API's answer. */
export function notificationRecord(answer) {
    const enabled = {};
    for (const row of answer?.kinds || []) enabled[row.kind] = Boolean(row.enabled);
    const record = { id: 'notifications', enabled };
    for (const name of NOTIFICATION_SETTINGS) {
        if (answer && name in answer) record[name] = answer[name];
    }
    return record;
}

/** A kind's label: the API's (in the caller's language), else the console's text, else the key. */
export function kindLabel(row, translate) {
    if (row.label) return row.label;
    return translate(`preferences.notifications.kinds.${row.kind}`, { _: row.kind });
}

function sameNumber(a, b) {
    if (a === b) return true;
    if (a === '' || a === null || a === undefined || b === '' || b === null || b === undefined) return false;
    return Number(a) === Number(b);
}

/** The PATCH body: the kinds switched and the settings changed; {} when nothing changed. An
 * emptied number is sent as null, so that the API says it is needed. */
export function notificationChanges(values, record) {
    const out = {};
    const enabled = {};
    for (const [kind, value] of Object.entries(values.enabled || {})) {
        if (kind in (record.enabled || {}) && Boolean(value) !== record.enabled[kind]) enabled[kind] = Boolean(value);
    }
    if (Object.keys(enabled).length) out.enabled = enabled;
    for (const name of NOTIFICATION_SETTINGS) {
        if (!(name in record) || values[name] === undefined) continue;
        const value = values[name] === '' ? null : values[name];
        const unchanged = typeof record[name] === 'number' ? sameNumber(value, record[name]) : value === record[name];
        if (!unchanged) out[name] = value;
    }
    return out;
}
