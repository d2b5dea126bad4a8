// What Django's shell page tells the console before any API call: the organisation (or the
// platform), its branding, the default language, the CSP nonce for styles, the CSRF cookie name.

const DEFAULTS = {
    kind: 'organisation',
    name: '',
    logo_url: null,
    primary_colour: '#0b5394',
    primary_text_colour: '#ffffff',
    secondary_colour: '#444444',
    language: 'en',
    csrf_cookie_name: 'csrftoken',
};

export function readBootstrap(doc = globalThis.document) {
    const element = doc?.getElementById('console-bootstrap');
    if (!element) return { ...DEFAULTS };
    try {
        return { ...DEFAULTS, ...JSON.parse(element.textContent) };
    } catch {
        return { ...DEFAULTS };
    }
}

export function cspNonce(doc = globalThis.document) {
    return doc?.querySelector('meta[name="csp-nonce"]')?.getAttribute('content') || undefined;
}

export function apiRoot(kind) {
    return kind === 'platform' ? '/api/platform/' : '/api/admin/';
}
