// Move-ins: the queue (status filter, search, ordering) and one move-in with the applicant's data,
// readings and meter photos; approve (with the choice when the email is already a portal login)
// and reject with a reason.
import { useState } from 'react';
import {
    Button,
    Datagrid,
    DateField,
    FunctionField,
    List,
    ReferenceField,
    SearchInput,
    SelectInput,
    Show,
    SimpleList,
    SimpleShowLayout,
    TextField,
    TopToolbar,
    useDataProvider,
    useNotify,
    useRecordContext,
    useRefresh,
    useTranslate,
} from 'react-admin';
import { Box, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, useMediaQuery } from '@mui/material';
import ConfirmButton from '../../components/ConfirmButton.jsx';
import {
    MOVE_IN_STATUSES,
    ReadingsTable,
    ReasonButton,
    RefusedReadings,
    Section,
    StatusChip,
    statusChoices,
    useMayDecide,
} from './parts.jsx';

export function applicantName(record) {
    const person = record?.steps?.['3'] || {};
    return [person.first_name, person.last_name, person.company_name].filter(Boolean).join(' ') || record?.email || '';
}

const filters = [
    <SearchInput key="q" source="q" alwaysOn />,
    <SelectInput key="status" source="status" choices={statusChoices(MOVE_IN_STATUSES)} alwaysOn />,
];

export function MoveInList() {
    const small = useMediaQuery((theme) => theme.breakpoints.down('sm'));
    const translate = useTranslate();
    return (
        <List filters={filters} sort={{ field: 'submitted_at', order: 'DESC' }} perPage={25}>
            {small ? (
                <SimpleList
                    primaryText={(record) => `${record.reference} · ${applicantName(record)}`}
                    secondaryText={(record) => record.address || ''}
                    tertiaryText={(record) => translate(`moves.status.${record.status}`)}
                    linkType="show"
                />
            ) : (
                <Datagrid rowClick="show" bulkActionButtons={false}>
                    <TextField source="reference" sortable={false} />
                    <FunctionField source="applicant" sortable={false} render={applicantName} />
                    <TextField source="address" sortable={false} />
                    <DateField source="move_in_date" />
                    <FunctionField source="status" render={(record) => <StatusChip status={record.status} />} />
                    <DateField source="submitted_at" showTime />
                </Datagrid>
            )}
        </List>
    );
}

function readingRows(record) {
    const readings = record?.steps?.['5']?.readings || [];
    return readings.map((reading) => {
        const meter = (record.meters || []).find((item) => item.id === reading.meter_id) || {};
        return {
            meter_id: reading.meter_id,
            meter_number: meter.number || String(reading.meter_id),
            service: meter.service,
            unit: meter.unit,
            value: reading.value,
        };
    });
}

/** 409 email_is_portal_login: staff choose to link the contract to that customer or create a new one. */
function ExistingLoginDialog({ open, message, onChoose, onClose }) {
    const translate = useTranslate();
    return (
        <Dialog open={open} onClose={onClose} aria-labelledby="existing-login-title">
            <DialogTitle id="existing-login-title">{translate('moves.move_in.existing_login')}</DialogTitle>
            <DialogContent>
                <DialogContentText>{message}</DialogContentText>
            </DialogContent>
            <DialogActions sx={{ flexWrap: 'wrap', gap: 1 }}>
                <Button label="console.actions.cancel" onClick={onClose} />
                <Button label="moves.move_in.link_existing" variant="outlined" onClick={() => onChoose('link')} />
                <Button label="moves.move_in.new_customer" variant="contained" onClick={() => onChoose('new_customer')} />
            </DialogActions>
        </Dialog>
    );
}

function ApproveButton() {
    const record = useRecordContext();
    const dataProvider = useDataProvider();
    const notify = useNotify();
    const refresh = useRefresh();
    const translate = useTranslate();
    const [conflict, setConflict] = useState(null);
    if (!record) return null;
    const approve = async (body = {}) => {
        try {
            const result = await dataProvider.action('move-ins', record.id, 'approve', body);
            const warnings = (result?.warnings || []).map((warning) => warning.detail).join(' ');
            notify(warnings || 'moves.move_in.approved', { type: warnings ? 'warning' : 'success', autoHideDuration: warnings ? 10000 : 4000 });
            refresh();
        } catch (failure) {
            if (failure?.status === 409 && failure?.body?.code === 'email_is_portal_login') {
                setConflict(failure.body.errors?.on_existing_login || failure.message);
            } else {
                notify(failure?.message || 'ra.notification.http_error', { type: 'error', autoHideDuration: 10000 });
                refresh();
            }
        }
    };
    return (
        <>
            <ConfirmButton
                label="moves.move_in.approve"
                content={translate('moves.move_in.approve_content')}
                color="primary"
                variant="contained"
                onConfirm={() => approve()}
            />
            <ExistingLoginDialog
                open={Boolean(conflict)}
                message={conflict}
                onClose={() => setConflict(null)}
                onChoose={(choice) => {
                    setConflict(null);
                    approve({ on_existing_login: choice });
                }}
            />
        </>
    );
}

function MoveInActions() {
    const record = useRecordContext();
    const mayDecide = useMayDecide();
    if (!record || !mayDecide) return <TopToolbar />;
    const open = record.status === 'submitted';
    return (
        <TopToolbar sx={{ flexWrap: 'wrap', gap: 1 }}>
            {open && <ApproveButton />}
            {(open || record.status === 'correction') && (
                <ReasonButton
                    action="reject"
                    label="moves.reject"
                    title="moves.reject_title"
                    help="moves.reject_help"
                    success="moves.rejected"
                />
            )}
        </TopToolbar>
    );
}

function StepValue({ step, field }) {
    const record = useRecordContext();
    const value = record?.steps?.[step]?.[field];
    return <span>{value === undefined || value === null || value === '' ? '—' : String(value)}</span>;
}

function MoveInReadings() {
    const record = useRecordContext();
    if (!record) return null;
    return (
        <Section title="moves.readings">
            <ReadingsTable rows={readingRows(record)} photos={record.photos || []} />
            {record.status === 'correction' && (
                <RefusedReadings rows={record.readings_refused} title="moves.to_correct" />
            )}
            {record.status !== 'correction' && (
                <RefusedReadings rows={record.readings_refused} title="moves.refused" />
            )}
        </Section>
    );
}

export function MoveInShow() {
    const translate = useTranslate();
    return (
        <Show actions={<MoveInActions />}>
            <SimpleShowLayout>
                <TextField source="reference" />
                <FunctionField source="status" render={(record) => <StatusChip status={record.status} />} />
                <FunctionField source="applicant" render={applicantName} />
                <TextField source="email" />
                <FunctionField label="resources.move-ins.fields.phone" render={() => <StepValue step="4" field="phone" />} />
                <TextField source="language" />
                <TextField source="address" />
                <DateField source="move_in_date" />
                <DateField source="submitted_at" showTime />
                <FunctionField
                    label="resources.move-ins.fields.billing_preference"
                    render={() => <StepValue step="6" field="billing_preference" />}
                />
                <FunctionField
                    label="resources.move-ins.fields.payment_method"
                    render={() => <StepValue step="6" field="payment_method" />}
                />
                <FunctionField label="resources.move-ins.fields.iban" render={() => <StepValue step="6" field="iban" />} />
                <DateField source="decided_at" showTime emptyText="—" />
                <TextField source="rejection_reason" emptyText="—" />
                <ReferenceField source="created_customer" reference="customers" link="show" emptyText="—">
                    <TextField source="customer_number" />
                </ReferenceField>
                <DateField source="readings_recorded_at" showTime emptyText={translate('moves.move_in.not_recorded')} />
                <Box>
                    <MoveInReadings />
                </Box>
            </SimpleShowLayout>
        </Show>
    );
}
