// Small pure helpers of the submitted readings screen (tested in readings.test.js).

export const READING_STATUSES = ['submitted', 'accepted', 'rejected'];
export const SUBMITTED_READINGS = 'consumption/submitted-readings';

/** The API's decimal ("1012.5000000") without its trailing zeros ("1012.5"); the text as sent. */
export function readingValue(value) {
    if (value === null || value === undefined || value === '') return '';
    const text = String(value);
    if (!/^-?\d+(\.\d+)?$/.test(text)) return text;
    return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** Where the photo of a reading is served (the staff session's cookie is its authorisation). */
export function photoUrl(id) {
    return `/api/admin/${SUBMITTED_READINGS}/${encodeURIComponent(id)}/photo/`;
}

/** A decided reading cannot be decided again: 409 not_submitted (someone else was quicker). */
export function alreadyDecided(error) {
    return error?.status === 409;
}
