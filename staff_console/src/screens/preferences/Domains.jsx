// The portal's domains (administrators only): add one, remove one. The API validates exactly as
// the platform operator's API does; making a domain primary stays with the operator.
import { useCallback, useEffect, useState } from 'react';
import {
    DateField,
    Loading,
    RecordContextProvider,
    SaveButton,
    SimpleForm,
    TextInput,
    Toolbar,
    useDataProvider,
    useNotify,
    useTranslate,
} from 'react-admin';
import { Box, Chip, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { visuallyHidden } from '@mui/utils';
import { CONFIGURATION } from './api.js';
import ConfirmButton from '../../components/ConfirmButton.jsx';

export default function Domains() {
    const translate = useTranslate();
    const notify = useNotify();
    const dataProvider = useDataProvider();
    const [domains, setDomains] = useState(null);
    const [formKey, setFormKey] = useState(0);
    const url = `${CONFIGURATION}domains/`;
    const load = useCallback(
        () => dataProvider.fetchJson(url).then(({ json }) => setDomains(json)),
        [dataProvider, url],
    );
    useEffect(() => {
        load();
    }, [load]);
    if (!domains) return <Loading />;

    const add = async (values) => {
        try {
            await dataProvider.fetchJson(url, { method: 'POST', body: { domain: values.domain || '' } });
        } catch (error) {
            if (error?.body?.errors && Object.keys(error.body.errors).length) return error.body.errors;
            notify(error?.message || 'ra.notification.http_error', { type: 'error' });
            return undefined;
        }
        notify('preferences.domains.added', { type: 'success' });
        setFormKey((value) => value + 1);
        await load();
        return undefined;
    };
    const remove = (domain) => async () => {
        try {
            await dataProvider.fetchJson(`${url}${encodeURIComponent(domain)}/`, { method: 'DELETE' });
            notify('preferences.domains.removed', { type: 'success' });
        } catch (error) {
            notify(error?.message || 'ra.notification.http_error', { type: 'error' });
        }
        await load();
    };

    return (
        <Box sx={{ maxWidth: 720 }}>
            <Typography variant="h6" component="h2">
                {translate('preferences.domains.title')}
            </Typography>
            <Typography variant="body2" sx={{ mb: 1 }}>
                {translate('preferences.domains.intro')}
            </Typography>
            <Box sx={{ overflowX: 'auto' }}>
                <Table size="small" aria-label={translate('preferences.domains.title')}>
                    <TableHead>
                        <TableRow>
                            <TableCell>{translate('preferences.domains.domain')}</TableCell>
                            <TableCell>{translate('preferences.domains.created_at')}</TableCell>
                            <TableCell>
                                <Box component="span" sx={visuallyHidden}>
                                    {translate('preferences.domains.remove')}
                                </Box>
                            </TableCell>
                        </TableRow>
                    </TableHead>
                    <TableBody>
                        {domains.map((row) => (
                            <TableRow key={row.domain} data-domain={row.domain}>
                                <TableCell>
                                    {row.domain}{' '}
                                    {row.is_primary ? <Chip size="small" label={translate('preferences.domains.primary')} /> : null}
                                </TableCell>
                                <TableCell>
                                    <RecordContextProvider value={row}>
                                        <DateField source="created_at" />
                                    </RecordContextProvider>
                                </TableCell>
                                <TableCell>
                                    {row.is_primary ? null : (
                                        <ConfirmButton
                                            label="preferences.domains.remove"
                                            aria-label={`${translate('preferences.domains.remove')} ${row.domain}`}
                                            title={translate('preferences.domains.remove_title', { domain: row.domain })}
                                            content="preferences.domains.remove_content"
                                            onConfirm={remove(row.domain)}
                                            color="error"
                                        />
                                    )}
                                </TableCell>
                            </TableRow>
                        ))}
                    </TableBody>
                </Table>
            </Box>
            <SimpleForm
                key={formKey}
                onSubmit={add}
                record={{ domain: '' }}
                toolbar={
                    <Toolbar>
                        <SaveButton label="preferences.domains.add" alwaysEnable />
                    </Toolbar>
                }
            >
                <TextInput
                    source="domain"
                    label="preferences.domains.new_domain"
                    helperText="preferences.domains.new_domain_help"
                    fullWidth
                />
            </SimpleForm>
        </Box>
    );
}
