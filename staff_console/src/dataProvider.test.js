// The data provider against a fake fetch: DRF's query parameters, answers and errors.
import { describe, expect, it, vi } from 'vitest';
import { createHttp, flattenFieldErrors, readCookie } from './http.js';
import { createDataProvider, listQuery } from './dataProvider.js';

function jsonResponse(status, body) {
    const text = body === undefined ? '' : JSON.stringify(body);
    return {
        status,
        statusText: `status ${status}`,
        headers: new Headers({ 'Content-Type': 'application/json' }),
        text: async () => text,
        json: async () => JSON.parse(text || '{}'),
    };
}

function setup({ answers = [], cookies = 'csrftoken=abc123', onUnauthorized = () => {}, resourceOptions } = {}) {
    const calls = [];
    const queue = [...answers];
    const fetchImpl = vi.fn(async (url, options = {}) => {
        calls.push({ url, options });
        return queue.length ? queue.shift() : jsonResponse(200, {});
    });
    const http = createHttp({ fetchImpl, getLocale: () => 'nl', getCookies: () => cookies, onUnauthorized });
    const provider = createDataProvider({ http, root: '/api/admin/', resourceOptions });
    return { provider, calls, fetchImpl };
}

describe('getList', () => {
    it('sends page, page_size, ordering, search and filters; reads count and results', async () => {
        const { provider, calls } = setup({
            answers: [jsonResponse(200, { count: 42, next: null, previous: null, results: [{ id: 1 }, { id: 2 }] })],
        });
        const result = await provider.getList('customers', {
            pagination: { page: 3, perPage: 10 },
            sort: { field: 'last_name', order: 'DESC' },
            filter: { q: 'Jansen', portal_status: 'active', empty: '', tags: ['a', 'b'] },
        });
        expect(result).toEqual({ data: [{ id: 1 }, { id: 2 }], total: 42 });
        const url = new URL(calls[0].url, 'http://x');
        expect(url.pathname).toBe('/api/admin/customers/');
        expect(Object.fromEntries(url.searchParams)).toEqual({
            page: '3',
            page_size: '10',
            ordering: '-last_name',
            search: 'Jansen',
            portal_status: 'active',
            tags: 'a,b',
        });
        expect(calls[0].options.credentials).toBe('same-origin');
        expect(calls[0].options.headers.get('Accept-Language')).toBe('nl');
    });

    it("sends no ordering for react-admin's implicit id sort, and -id for a descending one", () => {
        expect(listQuery({ pagination: { page: 1, perPage: 25 }, sort: { field: 'id', order: 'ASC' } })).toBe(
            'page=1&page_size=25',
        );
        expect(listQuery({ sort: { field: 'id', order: 'DESC' } })).toBe('ordering=-id');
        expect(listQuery({ sort: { field: 'email', order: 'ASC' } })).toBe('ordering=email');
    });

    it('accepts an unpaginated list', async () => {
        const { provider } = setup({ answers: [jsonResponse(200, [{ id: 'a' }, { id: 'b' }, { id: 'c' }])] });
        expect(await provider.getList('configuration/pages', {})).toEqual({
            data: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
            total: 3,
        });
    });

    it('getManyReference filters on the target', async () => {
        const { provider, calls } = setup({ answers: [jsonResponse(200, { count: 0, results: [] })] });
        await provider.getManyReference('invoices', {
            target: 'customer',
            id: 7,
            pagination: { page: 1, perPage: 5 },
            sort: { field: 'issue_date', order: 'DESC' },
            filter: {},
        });
        expect(calls[0].url).toBe('/api/admin/invoices/?page=1&page_size=5&ordering=-issue_date&customer=7');
    });
});

describe('items, singletons and actions', () => {
    it('getOne, update (PATCH) and delete address the item', async () => {
        const { provider, calls } = setup({
            answers: [jsonResponse(200, { id: 5, email: 'a@b.test' }), jsonResponse(200, { id: 5, role: 'admin' }), jsonResponse(204)],
        });
        expect((await provider.getOne('staff', { id: 5 })).data.email).toBe('a@b.test');
        expect((await provider.update('staff', { id: 5, data: { role: 'admin' } })).data.role).toBe('admin');
        await provider.delete('staff', { id: 5, previousData: { id: 5 } });
        expect(calls.map((call) => [call.options.method, call.url])).toEqual([
            ['GET', '/api/admin/staff/5/'],
            ['PATCH', '/api/admin/staff/5/'],
            ['DELETE', '/api/admin/staff/5/'],
        ]);
        expect(JSON.parse(calls[1].options.body)).toEqual({ role: 'admin' });
    });

    it("maps the singleton id 'current' to the resource's own URL and back", async () => {
        const { provider, calls } = setup({
            answers: [jsonResponse(200, { primary_colour: '#123456' }), jsonResponse(200, { primary_colour: '#654321' })],
            resourceOptions: { 'configuration/preferences': { update: 'PUT' } },
        });
        const read = await provider.getOne('configuration/preferences', { id: 'current' });
        expect(read.data).toEqual({ id: 'current', primary_colour: '#123456' });
        const saved = await provider.update('configuration/preferences', {
            id: 'current',
            data: { id: 'current', primary_colour: '#654321' },
        });
        expect(saved.data.id).toBe('current');
        expect(calls[0].url).toBe('/api/admin/configuration/preferences/');
        expect(calls[1].url).toBe('/api/admin/configuration/preferences/');
        expect(calls[1].options.method).toBe('PUT');
        expect(JSON.parse(calls[1].options.body)).toEqual({ primary_colour: '#654321' });
    });

    it('action POSTs JSON under the item; upload sends the FormData untouched', async () => {
        const { provider, calls } = setup();
        await provider.action('customers', 12, 'portal/invite', { email: 'x@y.test' });
        expect(calls[0].url).toBe('/api/admin/customers/12/portal/invite/');
        expect(calls[0].options.method).toBe('POST');
        expect(calls[0].options.headers.get('Content-Type')).toBe('application/json');
        const form = new FormData();
        form.append('logo', new Blob(['x']), 'logo.png');
        await provider.upload('configuration/preferences', 'current', 'logo', form);
        expect(calls[1].url).toBe('/api/admin/configuration/preferences/logo/');
        expect(calls[1].options.body).toBe(form);
        expect(calls[1].options.headers.has('Content-Type')).toBe(false);
    });
});

describe('CSRF', () => {
    it('sends the cookie token on unsafe requests only', async () => {
        const { provider, calls } = setup({ cookies: 'other=1; csrftoken=tok%3D1' });
        await provider.getOne('staff', { id: 1 });
        await provider.create('staff', { data: { email: 'n@b.test' } });
        expect(calls[0].options.headers.has('X-CSRFToken')).toBe(false);
        expect(calls[1].options.headers.get('X-CSRFToken')).toBe('tok=1');
    });

    it('fetches a token from /api/auth/csrf/ when the cookie is missing', async () => {
        const { provider, calls } = setup({
            cookies: '',
            answers: [jsonResponse(200, { csrf_token: 'fresh' }), jsonResponse(201, { id: 3 })],
        });
        await provider.create('staff', { data: { email: 'n@b.test' } });
        expect(calls[0].url).toBe('/api/auth/csrf/');
        expect(calls[1].options.headers.get('X-CSRFToken')).toBe('fresh');
    });

    it('reads cookies by exact name', () => {
        expect(readCookie('csrftoken', '__Host-csrftoken=a; csrftoken=b')).toBe('b');
        expect(readCookie('__Host-csrftoken', '__Host-csrftoken=a; csrftoken=b')).toBe('a');
        expect(readCookie('missing', 'a=1')).toBeNull();
    });
});

describe('errors', () => {
    it('puts DRF field errors beside their fields, nested ones as a.b keys', async () => {
        const { provider } = setup({
            answers: [
                jsonResponse(400, {
                    code: 'invalid',
                    email: ['Enter a valid email address.'],
                    advance: { min_percentage: ['Must be at most the maximum.'] },
                    domains: [{}, { domain: ['Taken.'] }],
                }),
            ],
        });
        const error = await provider.create('staff', { data: {} }).catch((exc) => exc);
        expect(error.status).toBe(400);
        expect(error.body.errors).toEqual({
            email: 'Enter a valid email address.',
            'advance.min_percentage': 'Must be at most the maximum.',
            'domains.1.domain': 'Taken.',
        });
        expect(error.message).toBe('Enter a valid email address.');
    });

    it('makes non_field_errors and detail the notification', async () => {
        const { provider } = setup({
            answers: [
                jsonResponse(400, { code: 'invalid', non_field_errors: ['Choose a date after today.'] }),
                jsonResponse(409, { code: 'already_member', detail: 'This person is already a staff member.', email: ['x'] }),
            ],
        });
        const first = await provider.create('staff', { data: {} }).catch((exc) => exc);
        expect(first.message).toBe('Choose a date after today.');
        expect(first.body.errors).toEqual({});
        const second = await provider.create('staff', { data: {} }).catch((exc) => exc);
        expect(second.status).toBe(409);
        expect(second.message).toBe('This person is already a staff member.');
        expect(second.body.errors).toEqual({ email: 'x' });
    });

    it('reports a 401 (the session ended) and rejects with its status', async () => {
        const ended = vi.fn();
        const { provider } = setup({
            onUnauthorized: ended,
            answers: [jsonResponse(401, { code: 'not_authenticated', detail: 'Authentication credentials were not provided.' })],
        });
        const error = await provider.getList('staff', {}).catch((exc) => exc);
        expect(error.status).toBe(401);
        expect(ended).toHaveBeenCalledOnce();
    });

    it('flattens lists of plain messages into one string', () => {
        expect(flattenFieldErrors({ code: 'invalid', a: ['One.', 'Two.'] })).toEqual({ a: 'One. Two.' });
    });
});
