// Shared parts of the move-in and move-out pages: statuses, the reason dialog (reject, cancel) with
// the API's field error beside the field, the readings with their meter photos.
import {
    useDataProvider,
    useNotify,
    useRecordContext,
    useRefresh,
    useResourceContext,
    useTranslate,
} from 'react-admin';
import {
    Box,
    Table,
    TableBody,
    TableCell,
    TableHead,
    TableRow,
    Typography,
} from '@mui/material';
import SharedReasonButton from '../../components/ReasonButton.jsx';
import SharedStatusChip from '../../components/StatusChip.jsx';
import { useMayDecide } from '../../components/permissions.js';

export const MOVE_IN_STATUSES = ['submitted', 'correction', 'approved', 'rejected'];
export const MOVE_OUT_STATUSES = ['submitted', 'correction', 'scheduled', 'approved', 'rejected', 'cancelled'];

export const statusChoices = (statuses) => statuses.map((id) => ({ id, name: `moves.status.${id}` }));

const STATUS_COLOURS = { submitted: 'info', correction: 'warning', scheduled: 'secondary', approved: 'success' };

export function StatusChip({ status }) {
    return <SharedStatusChip status={status} messages="moves.status" colours={STATUS_COLOURS} />;
}

export { useMayDecide };

/** Reject or cancel: a dialog asking the reason the resident receives; the API's error on
 * `reason` shows beside the field, any other as a notification (the dialog stays open). */
export function ReasonButton({ action, label, title, help, success, color = 'error' }) {
    const record = useRecordContext();
    const resource = useResourceContext();
    const dataProvider = useDataProvider();
    const notify = useNotify();
    const refresh = useRefresh();
    const translate = useTranslate();
    if (!record) return null;
    const send = async (reason) => {
        await dataProvider.action(resource, record.id, action, { reason });
        notify(success, { type: 'success' });
        refresh();
    };
    return (
        <SharedReasonButton
            fieldId={`${action}-reason-${record.id}`}
            label={label}
            title={translate(title)}
            help={translate(help)}
            reasonLabel={translate('moves.reason')}
            color={color}
            send={send}
            onError={(failure) => notify(failure?.message || 'ra.notification.http_error', { type: 'error' })}
        />
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
