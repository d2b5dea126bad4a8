// A small paged table over any paginated API list that has no ids (readings): it asks the API
// for one page at a time and shows the count, so a meter's years of readings stay light.
import { useEffect, useState } from 'react';
import { Button, useDataProvider, useTranslate } from 'react-admin';
import { Alert, Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';

export const PAGE_SIZE = 25;
// These screens exist on organisation hosts only (react-admin's data provider proxy turns every
// property into a function, so the provider's own `root` cannot be read through useDataProvider).
export const ADMIN_API = '/api/admin/';

/** A DRF page, or an error when the answer is something else (never read an HTML page as "no rows"). */
export function pageOf(json) {
    if (!json || typeof json !== 'object' || !Array.isArray(json.results)) {
        throw new Error('ra.notification.http_error');
    }
    return json;
}

export function isoDay(date) {
    const pad = (n) => String(n).padStart(2, '0');
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function PagedTable({ url, query, columns, label }) {
    const dataProvider = useDataProvider();
    const translate = useTranslate();
    const [page, setPage] = useState(1);
    const [state, setState] = useState({ loading: true, rows: [], count: 0 });
    const queryKey = JSON.stringify(query || {});
    useEffect(() => setPage(1), [url, queryKey]);
    useEffect(() => {
        let live = true;
        const params = new URLSearchParams({ ...JSON.parse(queryKey), page: String(page), page_size: String(PAGE_SIZE) });
        setState((previous) => ({ ...previous, loading: true }));
        dataProvider
            .fetchJson(`${url}?${params}`)
            .then(({ json }) => {
                const found = pageOf(json);
                if (live) setState({ rows: found.results, count: found.count || 0 });
            })
            .catch((error) => live && setState({ rows: [], count: 0, error: error?.message }));
        return () => {
            live = false;
        };
    }, [dataProvider, url, queryKey, page]);
    if (state.error) return <Alert severity="error">{translate(state.error, { _: state.error })}</Alert>;
    if (!state.loading && !state.count) {
        return <Typography variant="body2">{translate('consumption.no_rows')}</Typography>;
    }
    const pages = Math.max(1, Math.ceil(state.count / PAGE_SIZE));
    return (
        <Box>
            <Box sx={{ overflowX: 'auto' }}>
                <Table size="small" aria-label={translate(label)}>
                    <TableHead>
                        <TableRow>
                            {columns.map((column) => (
                                <TableCell key={column.key}>{translate(column.label)}</TableCell>
                            ))}
                        </TableRow>
                    </TableHead>
                    <TableBody>
                        {state.rows.map((row, index) => (
                            <TableRow key={index}>
                                {columns.map((column) => (
                                    <TableCell key={column.key}>{column.render ? column.render(row) : row[column.key]}</TableCell>
                                ))}
                            </TableRow>
                        ))}
                    </TableBody>
                </Table>
            </Box>
            <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mt: 1, flexWrap: 'wrap' }}>
                <Button label="ra.navigation.previous" onClick={() => setPage(page - 1)} disabled={page <= 1} />
                <Typography variant="body2" aria-live="polite">
                    {translate('consumption.page_of', { page, pages, count: state.count })}
                </Typography>
                <Button label="ra.navigation.next" onClick={() => setPage(page + 1)} disabled={page >= pages} />
            </Box>
        </Box>
    );
}
