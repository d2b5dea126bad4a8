// Shared parts of the move-in and move-out pages: statuses, the reason dialog (reject, cancel) with
// the API's field error beside the field, the readings with their meter photos.
import { useState } from 'react';
import {
    Button,
    useDataProvider,
    useNotify,
    usePermissions,
    useRecordContext,
    useRefresh,
    useResourceContext,
    useTranslate,
} from 'react-admin';
import {
    Box,
    Chip,
    Dialog,
    DialogActions,
    DialogContent,
    DialogContentText,
    DialogTitle,
    Table,
    TableBody,
    TableCell,
    TableHead,
    TableRow,
    TextField as MuiTextField,
    Typography,
} from '@mui/material';

export const MOVE_IN_STATUSES = ['submitted', 'correction', 'approved', 'rejected'];
export const MOVE_OUT_STATUSES = ['submitted', 'correction', 'scheduled', 'approved', 'rejected', 'cancelled'];

export const statusChoices = (statuses) => statuses.map((id) => ({ id, name: `moves.status.${id}` }));

const STATUS_COLOURS = { submitted: 'info', correction: 'warning', scheduled: 'secondary', approved: 'success' };

export function StatusChip({ status }) {
    const translate = useTranslate();
    if (!status) return null;
    // Outlined with the text in the body colour: the coloured border tells apart, the text stays readable (contrast).
    const colour = STATUS_COLOURS[status];
    return (
        <Chip
            size="small"
            variant="outlined"
            label={translate(`moves.status.${status}`)}
            sx={colour ? { borderColor: `${colour}.main`, borderWidth: 2 } : undefined}
        />
    );
}

/** Staff and administrators decide; support reads (the API refuses support on its own too). */
export function useMayDecide() {
    const { permissions } = usePermissions();
    return Boolean(permissions && permissions.role && permissions.role !== 'support');
}

/** Reject or cancel: a dialog asking the reason the resident receives; the API's error on
 * `reason` shows beside the field, any other as a notification. */
export function ReasonButton({ action, label, title, help, success, color = 'error' }) {
    const record = useRecordContext();
    const resource = useResourceContext();
    const dataProvider = useDataProvider();
    const notify = useNotify();
    const refresh = useRefresh();
    const translate = useTranslate();
    const [open, setOpen] = useState(false);
    const [reason, setReason] = useState('');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    if (!record) return null;
    const fieldId = `${action}-reason-${record.id}`;
    const close = () => {
        setOpen(false);
        setError('');
    };
    const submit = async (event) => {
        event.preventDefault();
        setBusy(true);
        try {
            await dataProvider.action(resource, record.id, action, { reason });
            notify(success, { type: 'success' });
            setReason('');
            close();
            refresh();
        } catch (failure) {
            const fieldError = failure?.body?.errors?.reason;
            if (fieldError) setError(fieldError);
            else notify(failure?.message || 'ra.notification.http_error', { type: 'error' });
        } finally {
            setBusy(false);
        }
    };
    return (
        <>
            <Button label={label} color={color} onClick={() => setOpen(true)} />
            <Dialog open={open} onClose={close} aria-labelledby={`${fieldId}-title`} fullWidth maxWidth="sm">
                <form onSubmit={submit} noValidate>
                    <DialogTitle id={`${fieldId}-title`}>{translate(title)}</DialogTitle>
                    <DialogContent>
                        <DialogContentText sx={{ mb: 2 }}>{translate(help)}</DialogContentText>
                        <MuiTextField
                            id={fieldId}
                            name="reason"
                            label={translate('moves.reason')}
                            value={reason}
                            onChange={(event) => setReason(event.target.value)}
                            error={Boolean(error)}
                            helperText={error || ' '}
                            inputProps={{ maxLength: 500 }}
                            multiline
                            minRows={3}
                            fullWidth
                            autoFocus
                        />
                    </DialogContent>
                    <DialogActions>
                        <Button label="console.actions.cancel" onClick={close} />
                        <Button label={label} type="submit" color={color} variant="contained" disabled={busy} />
                    </DialogActions>
                </form>
            </Dialog>
        </>
    );
}

/** One row per meter reading: meter, value, and the photo the resident took of it (if any). */
export function ReadingsTable({ rows, photos }) {
    const translate = useTranslate();
    if (!rows.length) return <Typography variant="body2">{translate('moves.no_readings')}</Typography>;
    return (
        <Table size="small" aria-label={translate('moves.readings')}>
            <TableHead>
                <TableRow>
                    <TableCell>{translate('moves.meter')}</TableCell>
                    <TableCell>{translate('moves.reading')}</TableCell>
                    <TableCell>{translate('moves.photo')}</TableCell>
                </TableRow>
            </TableHead>
            <TableBody>
                {rows.map((row) => {
                    const photo = photos.find((item) => item.meter === row.meter_id);
                    return (
                        <TableRow key={row.meter_id}>
                            <TableCell>
                                {row.meter_number}
                                {row.service ? ` (${row.service})` : ''}
                            </TableCell>
                            <TableCell>
                                {row.value} {row.unit || ''}
                            </TableCell>
                            <TableCell>
                                {photo ? (
                                    <a href={`/api/admin/meter-photos/${photo.id}/`} target="_blank" rel="noreferrer">
                                        <Box
                                            component="img"
                                            src={`/api/admin/meter-photos/${photo.id}/`}
                                            alt={translate('moves.photo_of', { number: row.meter_number })}
                                            sx={{ maxWidth: 160, maxHeight: 120, borderRadius: 1, display: 'block' }}
                                        />
                                    </a>
                                ) : (
                                    translate('moves.no_photo')
                                )}
                            </TableCell>
                        </TableRow>
                    );
                })}
            </TableBody>
        </Table>
    );
}

/** Readings the consumption data refused: to correct by the resident (status correction) or kept
 * for staff after the decision. */
export function RefusedReadings({ rows, title }) {
    const translate = useTranslate();
    if (!rows || !rows.length) return null;
    return (
        <Box sx={{ mt: 2 }} role="region" aria-label={translate(title)}>
            <Typography variant="subtitle2" component="h3">
                {translate(title)}
            </Typography>
            <ul>
                {rows.map((row, index) => (
                    <li key={`${row.meter_id}-${index}`}>
                        {translate('moves.refused_line', {
                            number: row.meter_number || row.meter_id,
                            value: row.value ?? '',
                            reason: row.reason || row.detail || (row.errors ? JSON.stringify(row.errors) : ''),
                        })}
                    </li>
                ))}
            </ul>
        </Box>
    );
}

export function Section({ title, children }) {
    const translate = useTranslate();
    return (
        <Box component="section" sx={{ mt: 3 }}>
            <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
                {translate(title)}
            </Typography>
            {children}
        </Box>
    );
}
