// Suspend or reactivate, each with a required reason (kept in the history shown below it).
import { useEffect, useState } from 'react';
import {
    DateField,
    RecordContextProvider,
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
import {
    Alert,
    Box,
    Button,
    Dialog,
    DialogContent,
    DialogTitle,
    Table,
    TableBody,
    TableCell,
    TableHead,
    TableRow,
    Typography,
} from '@mui/material';
import { PLATFORM_API, fieldErrors } from './choices.js';

function ReasonDialog({ action, record, open, onClose }) {
    const translate = useTranslate();
    const notify = useNotify();
    const refresh = useRefresh();
    const dataProvider = useDataProvider();
    const submit = async (values) => {
        try {
            await dataProvider.action('organisations', record.id, action, { reason: values.reason || '' });
        } catch (error) {
            const errors = fieldErrors(error);
            if (errors) return errors;
            notify(error?.message || 'ra.notification.http_error', { type: 'error' });
            return undefined;
        }
        notify(action === 'suspend' ? 'operators.status_change.suspended' : 'operators.status_change.reactivated', {
            type: 'success',
        });
        onClose();
        refresh();
        return undefined;
    };
    return (
        <Dialog open={open} onClose={onClose} aria-labelledby="reason-dialog-title" fullWidth maxWidth="sm">
            <DialogTitle id="reason-dialog-title">
                {translate(`operators.status_change.${action}`)}: {record.name}
            </DialogTitle>
            <DialogContent>
                <Typography variant="body2">{translate(`operators.status_change.${action}_help`)}</Typography>
                <SimpleForm
                    onSubmit={submit}
                    record={{ reason: '' }}
                    toolbar={
                        <Toolbar sx={{ gap: 1 }}>
                            <SaveButton
                                label={`operators.status_change.${action}`}
                                color={action === 'suspend' ? 'error' : 'primary'}
                                alwaysEnable
                                icon={<span />}
                            />
                            <Button onClick={onClose}>{translate('operators.cancel')}</Button>
                        </Toolbar>
                    }
                >
                    <TextInput
                        source="reason"
                        label="operators.status_change.reason"
                        validate={required()}
                        multiline
                        minRows={2}
                        fullWidth
                        autoFocus
                    />
                </SimpleForm>
            </DialogContent>
        </Dialog>
    );
}

function History({ record }) {
    const translate = useTranslate();
    const dataProvider = useDataProvider();
    const [rows, setRows] = useState(null);
    useEffect(() => {
        dataProvider
            .fetchJson(`${PLATFORM_API}organisations/${encodeURIComponent(record.slug)}/status-changes/?page_size=20`)
            .then(({ json }) => setRows(json.results))
            .catch(() => setRows([]));
    }, [dataProvider, record.slug, record.status]);
    if (rows === null) return null;
    if (!rows.length) return <Typography variant="body2">{translate('operators.status_change.none')}</Typography>;
    return (
        <Box sx={{ overflowX: 'auto' }}>
            <Table size="small" aria-labelledby="history-title" sx={{ '& td, & th': { overflowWrap: 'anywhere' } }}>
                <caption id="history-title" style={{ captionSide: 'top', textAlign: 'left', padding: 0 }}>
                    {translate('operators.status_change.history')}
                </caption>
                <TableHead>
                    <TableRow>
                        <TableCell>{translate('operators.status_change.when')}</TableCell>
                        <TableCell>{translate('resources.organisations.fields.status')}</TableCell>
                        <TableCell>{translate('operators.status_change.reason')}</TableCell>
                        <TableCell>{translate('operators.status_change.by')}</TableCell>
                    </TableRow>
                </TableHead>
                <TableBody>
                    {rows.map((row) => (
                        <TableRow key={row.id}>
                            <TableCell>
                                <RecordContextProvider value={row}>
                                    <DateField source="created_at" showTime />
                                </RecordContextProvider>
                            </TableCell>
                            <TableCell>{translate(`operators.status_change.action.${row.action}`)}</TableCell>
                            <TableCell>{row.reason}</TableCell>
                            <TableCell>{row.actor_email}</TableCell>
                        </TableRow>
                    ))}
                </TableBody>
            </Table>
        </Box>
    );
}

export default function Status() {
    const record = useRecordContext();
    const translate = useTranslate();
    const [open, setOpen] = useState(false);
    if (!record) return null;
    const suspended = record.status === 'suspended';
    const action = suspended ? 'reactivate' : 'suspend';
    return (
        <Box component="section" aria-labelledby="status-title" sx={{ mb: 3 }}>
            <Typography id="status-title" variant="h6" component="h2">
                {translate('operators.status_change.title')}
            </Typography>
            <Alert severity={suspended ? 'warning' : 'success'} sx={{ mb: 1 }}>
                {translate(`operators.status.${record.status}`)}
                {suspended && record.suspension_reason ? ` — ${record.suspension_reason}` : ''}
            </Alert>
            <Button variant="outlined" color={suspended ? 'primary' : 'error'} onClick={() => setOpen(true)} sx={{ mb: 2 }}>
                {translate(`operators.status_change.${action}`)}
            </Button>
            {open ? <ReasonDialog action={action} record={record} open={open} onClose={() => setOpen(false)} /> : null}
            <History record={record} />
        </Box>
    );
}
