// The messages screen's list: unpaginated, so `page` is the page filter and never a page number.
import { describe, expect, it, vi } from 'vitest';
import { createHttp } from '../../http.js';
import { createDataProvider } from '../../dataProvider.js';
import { RESOURCE_OPTIONS, allowedLink, plainText } from './helpers.js';

function provider(resourceOptions) {
    const calls = [];
    const fetchImpl = vi.fn(async (url) => {
        calls.push(url);
        return { status: 200, statusText: 'OK', headers: new Headers(), text: async () => '[{"id": 4, "page": "login"}]' };
    });
    const http = createHttp({ fetchImpl, getCookies: () => 'csrftoken=x' });
    return { calls, dataProvider: createDataProvider({ http, root: '/api/admin/', resourceOptions }) };
}

describe('page messages list', () => {
    it('sends the page filter and no page number', async () => {
        const { calls, dataProvider } = provider(RESOURCE_OPTIONS);
        const result = await dataProvider.getList('configuration/messages', {
            pagination: { page: 1, perPage: 50 },
            sort: { field: 'id', order: 'ASC' },
            filter: { page: 'login' },
        });
        expect(calls[0]).toBe('/api/admin/configuration/messages/?page=login');
        expect(result.total).toBe(1);
    });
});

describe('rich text helpers', () => {
    it('allows only the links the server keeps', () => {
        expect(allowedLink('https://example.org')).toBe(true);
        expect(allowedLink('mailto:help@example.org')).toBe(true);
        expect(allowedLink('tel:+3212345678')).toBe(true);
        expect(allowedLink('javascript:alert(1)')).toBe(false);
        expect(allowedLink('data:text/html,x')).toBe(false);
        expect(allowedLink('')).toBe(false);
    });

    it('shows a message as plain text in the list', () => {
        expect(plainText('<p>Heat <strong>outage</strong></p><ul><li>a</li></ul>')).toBe('Heat outage a');
    });
});
