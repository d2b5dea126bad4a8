// Plain helpers of the messages screen (no React: unit-tested in Node).

export const RESOURCE = 'configuration/messages';
// The API lists every message at once and `page` filters by portal page (not a page number).
export const RESOURCE_OPTIONS = { [RESOURCE]: { paginate: false } };
export const LINK_SCHEMES = ['http', 'https', 'mailto', 'tel'];

/** A link the server's allow-list keeps (configuration/rich_text.py url_schemes). */
export function allowedLink(url) {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(String(url || '').trim());
    return Boolean(scheme) && LINK_SCHEMES.includes(scheme[1].toLowerCase());
}

/** Rich text as one line of plain text, for lists. */
export function plainText(html) {
    return String(html || '')
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
}
