// An organisation's domains: add (optionally as primary), make primary, remove. The operator API
// validates the host name; its message appears beside the field.
import { useState } from 'react';
import {
    BooleanInput,
    SaveButton,
    SimpleForm,
    TextInput,
    Toolbar,
    required,
    useDataProvider,
    useNotify,
    useRecordContext,
    useRefresh,
    useTranslate,
} from 'react-admin';
import DeleteIcon from '@mui/icons-material/Delete';
import { Box, Button, Chip, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { visuallyHidden } from '@mui/utils';
import ConfirmButton from '../../components/ConfirmButton.jsx';
import { PLATFORM_API, fieldErrors } from './choices.js';

export default function Domains() {
    const record = useRecordContext();
    const translate = useTranslate();
    const notify = useNotify();
    const refresh = useRefresh();
    const dataProvider = useDataProvider();
    const [formKey, setFormKey] = useState(0);
    if (!record) return null;
    const base = `${PLATFORM_API}organisations/${encodeURIComponent(record.slug)}/domains/`;

    const call = async (url, options, success) => {
        try {
            await dataProvider.fetchJson(url, options);
            notify(success.message, { type: 'success', messageArgs: success.args });
            refresh();
        } catch (error) {
            notify(error?.message || 'ra.notification.http_error', { type: 'error' });
        }
    };
    const add = async (values) => {
        try {
            await dataProvider.fetchJson(base, {
                method: 'POST',
                body: { domain: values.domain || '', is_primary: Boolean(values.is_primary) },
            });
        } catch (error) {
            const errors = fieldErrors(error);
            if (errors) return errors;
            notify(error?.message || 'ra.notification.http_error', { type: 'error' });
            return undefined;
        }
        notify('operators.domains.added', { type: 'success' });
        setFormKey((value) => value + 1);
        refresh();
        return undefined;
    };

    return (
        <Box component="section" aria-labelledby="domains-title" sx={{ mb: 3 }}>
            <Typography id="domains-title" variant="h6" component="h2">
                {translate('operators.domains.title')}
            </Typography>
            <Box sx={{ overflowX: 'auto' }}>
                <Table size="small" aria-labelledby="domains-title" sx={{ '& td, & th': { overflowWrap: 'anywhere' } }}>
                    <TableHead>
                        <TableRow>
                            <TableCell>{translate('resources.organisations.fields.domain')}</TableCell>
                            <TableCell>
                                <Box component="span" sx={visuallyHidden}>
                                    {translate('operators.domains.make_primary')}
                                </Box>
                            </TableCell>
                        </TableRow>
                    </TableHead>
                    <TableBody>
                        {record.domains.map((row) => (
                            <TableRow key={row.domain} data-domain={row.domain}>
                                <TableCell>
                                    {row.domain}{' '}
                                    {row.is_primary ? <Chip size="small" label={translate('operators.domains.primary')} /> : null}
                                </TableCell>
                                <TableCell>
                                    {row.is_primary ? null : (
                                        <>
                                            <Button
                                                size="small"
                                                aria-label={`${translate('operators.domains.make_primary')}: ${row.domain}`}
                                                onClick={() =>
                                                    call(
                                                        `${base}${encodeURIComponent(row.domain)}/set-primary/`,
                                                        { method: 'POST', body: {} },
                                                        { message: 'operators.domains.primary_set', args: { domain: row.domain } },
                                                    )
                                                }
                                            >
                                                {translate('operators.domains.make_primary')}
                                            </Button>
                                            <ConfirmButton
                                                label="operators.domains.remove"
                                                aria-label={`${translate('operators.domains.remove')}: ${row.domain}`}
                                                title={translate('operators.domains.remove_confirm', { domain: row.domain })}
                                                content={translate('operators.domains.remove_confirm', { domain: row.domain })}
                                                color="error"
                                                icon={<DeleteIcon />}
                                                onConfirm={() =>
                                                    call(
                                                        `${base}${encodeURIComponent(row.domain)}/`,
                                                        { method: 'DELETE' },
                                                        { message: 'operators.domains.removed' },
                                                    )
                                                }
                                            />
                                        </>
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
                record={{ domain: '', is_primary: false }}
                resource="organisations"
                toolbar={
                    <Toolbar>
                        <SaveButton label="operators.domains.add" alwaysEnable />
                    </Toolbar>
                }
            >
                <TextInput source="domain" validate={required()} helperText="operators.onboard.domain_help" fullWidth />
                <BooleanInput source="is_primary" label="operators.domains.make_primary_on_add" helperText={false} />
            </SimpleForm>
        </Box>
    );
}
