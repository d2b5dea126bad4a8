// The operators screen names organisations by slug: the data provider's per-resource `id` option.
import { describe, expect, it, vi } from 'vitest';
import { createHttp } from '../../http.js';
import { createDataProvider } from '../../dataProvider.js';
import { resourceOptions } from './options.js';

function provider(body) {
    const calls = [];
    const fetchImpl = vi.fn(async (url, options = {}) => {
        calls.push({ url, options });
        const text = JSON.stringify(body);
        return { status: 200, statusText: 'OK', headers: new Headers(), text: async () => text };
    });
    const http = createHttp({ fetchImpl, getCookies: () => 'csrftoken=t' });
    return { calls, dataProvider: createDataProvider({ http, root: '/api/platform/', resourceOptions }) };
}

describe('organisations by slug', () => {
    it('gives list records the slug as id', async () => {
        const { dataProvider } = provider({ count: 1, results: [{ slug: 'noord', name: 'Noord' }] });
        const result = await dataProvider.getList('organisations', { pagination: { page: 1, perPage: 25 } });
        expect(result).toEqual({ data: [{ id: 'noord', slug: 'noord', name: 'Noord' }], total: 1 });
    });

    it('reads and patches one organisation at its slug', async () => {
        const { dataProvider, calls } = provider({ slug: 'noord', features: { move_in: false } });
        const one = await dataProvider.getOne('organisations', { id: 'noord' });
        expect(one.data.id).toBe('noord');
        const updated = await dataProvider.update('organisations', {
            id: 'noord',
            data: { features: { move_in: false } },
        });
        expect(calls[1].url).toBe('/api/platform/organisations/noord/');
        expect(calls[1].options.method).toBe('PATCH');
        expect(JSON.parse(calls[1].options.body)).toEqual({ features: { move_in: false } });
        expect(updated.data.id).toBe('noord');
    });
});
