// The resident pages a message can go on, with their labels in the console's language, from the
// API (GET configuration/pages/): the server's list is the only one, so a new page needs no release.
import { useEffect, useState } from 'react';
import { useDataProvider, useLocaleState } from 'react-admin';

// The organisation's REST admin (react-admin's data provider proxy does not expose `root`).
export const ADMIN_ROOT = '/api/admin/';

export default function usePages() {
    const dataProvider = useDataProvider();
    const [locale] = useLocaleState();
    const [pages, setPages] = useState([]);
    useEffect(() => {
        let current = true;
        dataProvider
            .fetchJson(`${ADMIN_ROOT}configuration/pages/`)
            .then(({ json }) => {
                if (current) setPages((json || []).map((page) => ({ id: page.key, name: page.label })));
            })
            .catch(() => {});
        return () => {
            current = false;
        };
    }, [dataProvider, locale]);
    return pages;
}
