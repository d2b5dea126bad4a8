// react-admin's data provider for the DRF admin API (docs/staff-console.md, "Data provider").
// Resource name = path under the API root; pagination, ordering, search and filters as query
// parameters; singletons have the id `current`; custom actions are POSTs under an item.

export const SINGLETON_ID = 'current';

function itemUrl(root, resource, id) {
    if (id === SINGLETON_ID || id === undefined || id === null) return `${root}${resource}/`;
    return `${root}${resource}/${encodeURIComponent(id)}/`;
}

function appendFilter(params, key, value) {
    if (value === undefined || value === null || value === '') return;
    if (Array.isArray(value)) {
        if (value.length) params.set(key, value.join(','));
        return;
    }
    if (typeof value === 'object') {
        for (const [inner, innerValue] of Object.entries(value)) appendFilter(params, `${key}__${inner}`, innerValue);
        return;
    }
    params.set(key, String(value));
}

/** The query string of a list: ?page=&page_size=&ordering=&search=&<filters>. */
export function listQuery({ pagination, sort, filter } = {}) {
    const params = new URLSearchParams();
    if (pagination) {
        params.set('page', String(pagination.page || 1));
        params.set('page_size', String(pagination.perPage || 25));
    }
    // react-admin's implicit default sort (id ascending) sends no ordering: the API's own order stays.
    if (sort && sort.field && !(sort.field === 'id' && sort.order !== 'DESC')) {
        params.set('ordering', `${sort.order === 'DESC' ? '-' : ''}${sort.field}`);
    }
    for (const [key, value] of Object.entries(filter || {})) {
        appendFilter(params, key === 'q' ? 'search' : key, value);
    }
    return params.toString();
}

function withSingletonId(record, id) {
    if (record && typeof record === 'object' && !Array.isArray(record) && record.id === undefined) {
        return { ...record, id };
    }
    return record;
}

export function listResult(json) {
    if (Array.isArray(json)) return { data: json, total: json.length };
    const results = json?.results || [];
    return {
        data: results,
        total: typeof json?.count === 'number' ? json.count : results.length,
    };
}

/**
 * @param http      createHttp(...) result ({fetchJson})
 * @param root      '/api/admin/' or '/api/platform/'
 * @param resourceOptions  {<resource>: {update: 'PUT'}} where a resource wants PUT, not PATCH
 */
export function createDataProvider({ http, root, resourceOptions = {} }) {
    const { fetchJson } = http;
    const updateMethod = (resource) => resourceOptions[resource]?.update || 'PATCH';
    // A resource whose API names its records by another field ({organisations: {id: 'slug'}}).
    const withId = (resource, record) => {
        const field = resourceOptions[resource]?.id;
        return field && record && typeof record === 'object' ? { ...record, id: record[field] } : record;
    };

    const provider = {
        async getList(resource, params = {}) {
            // {paginate: false}: an unpaginated list whose `page` is a filter (configuration/messages).
            const paginate = resourceOptions[resource]?.paginate !== false;
            const query = listQuery(paginate ? params : { ...params, pagination: undefined });
            const { json } = await fetchJson(`${root}${resource}/${query ? `?${query}` : ''}`);
            const result = listResult(json);
            return { ...result, data: result.data.map((record) => withId(resource, record)) };
        },
        async getOne(resource, { id }) {
            const { json } = await fetchJson(itemUrl(root, resource, id));
            return { data: withSingletonId(withId(resource, json), id) };
        },
        async getMany(resource, { ids }) {
            const data = await Promise.all(ids.map((id) => provider.getOne(resource, { id }).then((r) => r.data)));
            return { data };
        },
        async getManyReference(resource, { target, id, pagination, sort, filter }) {
            return provider.getList(resource, { pagination, sort, filter: { ...filter, [target]: id } });
        },
        async create(resource, { data }) {
            const { json } = await fetchJson(`${root}${resource}/`, { method: 'POST', body: data });
            return { data: { id: json?.id ?? data?.id, ...json } };
        },
        async update(resource, { id, data, previousData }) {
            const body = { ...data };
            if (id === SINGLETON_ID) delete body.id;
            const { json } = await fetchJson(itemUrl(root, resource, id), { method: updateMethod(resource), body });
            return { data: withSingletonId(withId(resource, json) ?? { ...previousData, ...data }, id) };
        },
        async updateMany(resource, { ids, data }) {
            await Promise.all(ids.map((id) => provider.update(resource, { id, data })));
            return { data: ids };
        },
        async delete(resource, { id, previousData }) {
            await fetchJson(itemUrl(root, resource, id), { method: 'DELETE' });
            return { data: previousData ?? { id } };
        },
        async deleteMany(resource, { ids }) {
            await Promise.all(ids.map((id) => fetchJson(itemUrl(root, resource, id), { method: 'DELETE' })));
            return { data: ids };
        },
        /** POST <root><resource>/<id>/<action>/ with a JSON body; resolves with the answer's JSON. */
        async action(resource, id, action, body = {}) {
            const base = itemUrl(root, resource, id);
            const { json } = await fetchJson(`${base}${action}/`, { method: 'POST', body });
            return json;
        },
        /** Multipart POST (or another method in options) to <root><resource>/[<id>/]<action>/. */
        async upload(resource, id, action, formData, { method = 'POST' } = {}) {
            const base = itemUrl(root, resource, id);
            const { json } = await fetchJson(action ? `${base}${action}/` : base, { method, body: formData });
            return json;
        },
        /** Anything else: an absolute path ("/api/…"), with the same CSRF, language and errors. */
        fetchJson(path, options) {
            return fetchJson(path, options);
        },
        root,
    };
    return provider;
}
