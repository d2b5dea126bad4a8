// Meter readings residents submitted outside a move: the queue (open ones first by default; status,
// customer, meter and warning filters, search) with each reading's photo, and one reading with its
// photo in full. Staff and administrators accept one (stored as an actual reading) or reject it
// with the reason the resident is emailed; support members read (the API refuses them anyway).
import {
    AutocompleteInput,
    Datagrid,
    DateField,
    FunctionField,
    List,
    NullableBooleanInput,
    ReferenceInput,
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
import { Alert, Box, Chip, Link, useMediaQuery } from '@mui/material';
import { Link as RouterLink } from 'react-router-dom';
import ConfirmButton from '../../components/ConfirmButton.jsx';
import ReasonButton from '../../components/ReasonButton.jsx';
import SharedStatusChip from '../../components/StatusChip.jsx';
import { useMayDecide } from '../../components/permissions.js';
import { READING_STATUSES, SUBMITTED_READINGS, alreadyDecided, photoUrl, readingValue } from './readings.js';

const R = (name) => `consumption.submitted.${name}`;
const STATUS_COLOURS = { submitted: 'info', accepted: 'success', rejected: 'error' };

const filters = [
    <SearchInput key="q" source="q" alwaysOn />,
    <SelectInput
        key="status"
        source="status"
        choices={READING_STATUSES.map((id) => ({ id, name: R(`status.${id}`) }))}
        emptyText={R('status.all')}
        alwaysOn
    />,
    <ReferenceInput key="customer" source="customer" reference="customers">
        <AutocompleteInput optionText={(record) => `${record.customer_number} · ${record.name || ''}`} />
    </ReferenceInput>,
    <ReferenceInput key="meter" source="meter" reference="consumption/meters">
        <AutocompleteInput optionText="number" />
    </ReferenceInput>,
    <NullableBooleanInput key="with_warning" source="with_warning" />,
];

function StatusChip({ status }) {
    return <SharedStatusChip status={status} messages={R('status')} colours={STATUS_COLOURS} fallbackColour="grey" />;
}

function customerText(record) {
    return [record?.customer_number, record?.customer_name].filter(Boolean).join(' · ');
}

function Photo({ record, size = 'thumbnail' }) {
    const translate = useTranslate();
    if (!record?.has_photo) return <span>{translate(R('no_photo'))}</span>;
    const url = photoUrl(record.id);
    const alt = translate(R('photo_of'), { reference: record.reference, meter: record.meter_number });
    const sx =
        size === 'thumbnail'
            ? { width: 64, height: 48, objectFit: 'cover', borderRadius: 1, display: 'block' }
            : { maxWidth: '100%', maxHeight: 480, borderRadius: 1, display: 'block' };
    return (
        <Box>
            <Link href={url} target="_blank" rel="noreferrer" aria-label={size === 'thumbnail' ? alt : undefined}>
                <Box component="img" src={url} alt={size === 'thumbnail' ? '' : alt} loading="lazy" sx={sx} />
            </Link>
            {size === 'thumbnail' ? null : (
                <Link href={url} target="_blank" rel="noreferrer" sx={{ display: 'inline-block', mt: 1 }}>
                    {translate(R('open_photo'))}
                </Link>
            )}
        </Box>
    );
}

/** After an action: a 409 means someone decided first; any other refusal says why. */
function useDecisionFailure() {
    const notify = useNotify();
    const refresh = useRefresh();
    return (error) => {
        const message = error?.message || 'ra.notification.http_error';
        notify(alreadyDecided(error) ? R('already_decided') : message, {
            type: 'error',
            messageArgs: { detail: message },
            autoHideDuration: 10000,
        });
        refresh();
    };
}

function AcceptButton({ record }) {
    const dataProvider = useDataProvider();
    const notify = useNotify();
    const refresh = useRefresh();
    const translate = useTranslate();
    const failed = useDecisionFailure();
    const accept = async () => {
        try {
            await dataProvider.action(SUBMITTED_READINGS, record.id, 'accept', {});
            notify(R('accepted'), { type: 'success', messageArgs: { reference: record.reference } });
            refresh();
        } catch (error) {
            failed(error);
        }
    };
    return (
        <ConfirmButton
            label={R('accept')}
            aria-label={translate(R('accept_named'), { reference: record.reference })}
            title={translate(R('accept_title'), { reference: record.reference })}
            content={translate(R('accept_content'), {
                value: readingValue(record.value),
                meter: record.meter_number,
                date: record.read_on,
            })}
            onConfirm={accept}
            variant="contained"
        />
    );
}

function RejectButton({ record }) {
    const dataProvider = useDataProvider();
    const notify = useNotify();
    const refresh = useRefresh();
    const translate = useTranslate();
    const failed = useDecisionFailure();
    const send = async (reason) => {
        await dataProvider.action(SUBMITTED_READINGS, record.id, 'reject', { reason });
        notify(R('rejected'), { type: 'success', messageArgs: { reference: record.reference } });
        refresh();
    };
    return (
        <ReasonButton
            fieldId={`reject-reason-${record.id}`}
            label={R('reject')}
            buttonProps={{
                'aria-label': translate(R('reject_named'), { reference: record.reference }),
                variant: 'outlined',
            }}
            title={translate(R('reject_title'), { reference: record.reference })}
            help={translate(R('reject_help'))}
            reasonLabel={translate(R('reason'))}
            reasonHelp={translate(R('reason_help'))}
            required
            actionsSx={{ flexWrap: 'wrap', gap: 1 }}
            send={send}
            onError={(failure, close) => {
                close();
                failed(failure);
            }}
        />
    );
}

/** Accept and Reject of an open reading; nothing once decided or for support members. The clicks
 * (also those inside the dialogs, which React bubbles through their portal) never open the row. */
function Decide({ record: recordProp }) {
    const record = useRecordContext({ record: recordProp });
    const mayDecide = useMayDecide();
    if (!record || !mayDecide || record.status !== 'submitted') return null;
    return (
        <Box
            sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}
            onClick={(event) => event.stopPropagation()}
            onKeyDown={(event) => event.stopPropagation()}
        >
            <AcceptButton record={record} />
            <RejectButton record={record} />
        </Box>
    );
}

function ValueText({ record }) {
    const translate = useTranslate();
    return (
        <Box component="span" sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5, flexWrap: 'wrap' }}>
            {readingValue(record.value)}
            {record.warning ? (
                <Chip size="small" variant="outlined" label={translate(R('unexpected'))} title={record.warning} />
            ) : null}
        </Box>
    );
}

export function SubmittedReadingList() {
    const small = useMediaQuery((theme) => theme.breakpoints.down('sm'));
    const translate = useTranslate();
    return (
        <List
            filters={filters}
            filterDefaultValues={{ status: 'submitted' }}
            sort={{ field: 'submitted_at', order: 'DESC' }}
            perPage={25}
            exporter={false}
        >
            {small ? (
                <SimpleList
                    primaryText={(record) => `${record.reference} · ${customerText(record)}`}
                    secondaryText={(record) =>
                        `${record.meter_number}: ${readingValue(record.value)} (${record.read_on})`
                    }
                    tertiaryText={(record) => translate(R(`status.${record.status}`), { _: record.status })}
                    linkType="show"
                />
            ) : (
                <Datagrid rowClick="show" bulkActionButtons={false}>
                    {/* A link as well as the row click: the reading's page is reached by keyboard too. */}
                    <FunctionField
                        source="reference"
                        sortable={false}
                        render={(record) => (
                            <Link
                                component={RouterLink}
                                to={`/${SUBMITTED_READINGS}/${record.id}/show`}
                                onClick={(event) => event.stopPropagation()}
                            >
                                {record.reference}
                            </Link>
                        )}
                    />
                    <FunctionField source="customer" sortable={false} render={customerText} />
                    <TextField source="meter_number" sortable={false} />
                    <FunctionField source="value" sortable={false} render={(record) => <ValueText record={record} />} />
                    <DateField source="read_on" />
                    <DateField source="submitted_at" showTime />
                    <FunctionField source="status" render={(record) => <StatusChip status={record.status} />} />
                    <FunctionField source="photo" sortable={false} render={(record) => <Photo record={record} />} />
                    <FunctionField
                        source="decide"
                        sortable={false}
                        label={R('decide')}
                        render={(record) => <Decide record={record} />}
                    />
                </Datagrid>
            )}
        </List>
    );
}

function ShowActions() {
    return (
        <TopToolbar sx={{ flexWrap: 'wrap', gap: 1 }}>
            <Decide />
        </TopToolbar>
    );
}

function WarningNote() {
    const record = useRecordContext();
    if (!record?.warning) return null;
    return (
        <Alert severity="warning" sx={{ my: 1 }}>
            {record.warning}
        </Alert>
    );
}

export function SubmittedReadingShow() {
    return (
        <Show actions={<ShowActions />}>
            <SimpleShowLayout>
                <TextField source="reference" />
                <FunctionField source="status" render={(record) => <StatusChip status={record.status} />} />
                <FunctionField
                    source="customer"
                    render={(record) => (
                        <Link component={RouterLink} to={`/customers/${record.customer_id}/show`}>
                            {customerText(record)}
                        </Link>
                    )}
                />
                <FunctionField
                    source="meter_number"
                    render={(record) => (
                        <Link component={RouterLink} to={`/consumption/meters/${record.meter_id}/show`}>
                            {record.meter_number}
                        </Link>
                    )}
                />
                <FunctionField source="value" render={(record) => readingValue(record.value)} />
                <WarningNote label={false} />
                <DateField source="read_on" />
                <DateField source="submitted_at" showTime />
                <DateField source="decided_at" showTime emptyText="—" />
                <TextField source="reason" emptyText="—" />
                <FunctionField source="photo" render={(record) => <Photo record={record} size="full" />} />
            </SimpleShowLayout>
        </Show>
    );
}
