// Every request of the console: same-origin session cookie, the CSRF token on unsafe methods,
// the console's language, and DRF's errors turned into react-admin's HttpError (field errors
// beside their fields, the rest as the notification). No token is ever stored by the console.
import { HttpError } from 'ra-core';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const GLOBAL_KEYS = new Set(['code', 'detail', 'non_field_errors']);

export function readCookie(name, cookieString = globalThis.document?.cookie || '') {
    for (const part of cookieString.split(';')) {
        const [key, ...rest] = part.trim().split('=');
        if (key === name) return decodeURIComponent(rest.join('='));
    }
    return null;
}

/** DRF's nested field errors as flat `a.b` / `items.0.c` keys, each with one readable message. */
export function flattenFieldErrors(body, prefix = '', out = {}) {
    if (!body || typeof body !== 'object') return out;
    for (const [key, value] of Object.entries(body)) {
        if (!prefix && GLOBAL_KEYS.has(key)) continue;
        const path = prefix ? `${prefix}.${key}` : key;
        if (Array.isArray(value)) {
            if (value.every((item) => typeof item !== 'object' || item === null)) {
                if (value.length) out[path] = value.map(String).join(' ');
            } else {
                value.forEach((item, index) => {
                    if (item && typeof item === 'object') flattenFieldErrors(item, `${path}.${index}`, out);
                    else if (item !== null && item !== undefined) out[`${path}.${index}`] = String(item);
                });
            }
        } else if (value && typeof value === 'object') {
            flattenFieldErrors(value, path, out);
        } else if (value !== null && value !== undefined) {
            out[path] = String(value);
        }
    }
    return out;
}

function firstMessage(value) {
    if (Array.isArray(value)) return value.length ? firstMessage(value[0]) : null;
    if (value && typeof value === 'object') return firstMessage(Object.values(value)[0]);
    return value === null || value === undefined ? null : String(value);
}

/** The HttpError react-admin understands: `body.errors` per field, `message` for the notification. */
export function toHttpError(status, body, statusText = '') {
    const data = body && typeof body === 'object' && !Array.isArray(body) ? body : {};
    const errors = flattenFieldErrors(data);
    const nonField = firstMessage(data.non_field_errors);
    const message =
        (typeof data.detail === 'string' && data.detail) ||
        nonField ||
        firstMessage(Object.values(errors)) ||
        (typeof body === 'string' && body) ||
        statusText ||
        `HTTP ${status}`;
    return new HttpError(message, status, { ...data, errors, message });
}

export function createHttp({
    fetchImpl = (...args) => globalThis.fetch(...args),
    getLocale = () => 'en',
    csrfCookieName = 'csrftoken',
    getCookies = () => globalThis.document?.cookie || '',
    onUnauthorized = () => {},
} = {}) {
    async function csrfToken() {
        const fromCookie = readCookie(csrfCookieName, getCookies());
        if (fromCookie) return fromCookie;
        const response = await fetchImpl('/api/auth/csrf/', {
            credentials: 'same-origin',
            headers: { Accept: 'application/json' },
        });
        const body = await response.json().catch(() => ({}));
        return readCookie(csrfCookieName, getCookies()) || body.csrf_token || '';
    }

    async function fetchJson(url, options = {}) {
        const method = (options.method || 'GET').toUpperCase();
        const headers = new Headers(options.headers || {});
        headers.set('Accept', 'application/json');
        headers.set('Accept-Language', getLocale());
        const isForm = typeof FormData !== 'undefined' && options.body instanceof FormData;
        let body = options.body;
        if (body !== undefined && !isForm && typeof body !== 'string') body = JSON.stringify(body);
        if (body !== undefined && !isForm && !headers.has('Content-Type')) {
            headers.set('Content-Type', 'application/json');
        }
        if (!SAFE.has(method)) headers.set('X-CSRFToken', await csrfToken());
        const response = await fetchImpl(url, { ...options, method, headers, body, credentials: 'same-origin' });
        const text = response.status === 204 ? '' : await response.text();
        let json = null;
        if (text) {
            try {
                json = JSON.parse(text);
            } catch {
                json = text;
            }
        }
        if (response.status === 401) onUnauthorized();
        if (response.status < 200 || response.status >= 300) {
            throw toHttpError(response.status, json, response.statusText);
        }
        return { status: response.status, headers: response.headers, body: text, json };
    }

    return { fetchJson, csrfToken };
}

/** The field errors of a failed request, for a react-admin form (beside each field); else undefined. */
export function fieldErrors(error) {
    const errors = error?.body?.errors;
    return errors && Object.keys(errors).length ? errors : undefined;
}
