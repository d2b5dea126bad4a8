// Move-outs: the queue (status filter, search, ordering) and one move-out with its final readings
// and meter photos; process (completes a past day, schedules a day to come), reject, cancel.
import {
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
    useRecordContext,
    useTranslate,
} from 'react-admin';
import { Box, useMediaQuery } from '@mui/material';
import ActionButton from '../../components/ActionButton.jsx';
import {
    MOVE_OUT_STATUSES,
    ReadingsTable,
    ReasonButton,
    RefusedReadings,
    Section,
    StatusChip,
    statusChoices,
    useMayDecide,
} from './parts.jsx';

const filters = [
    <SearchInput key="q" source="q" alwaysOn />,
    <SelectInput key="status" source="status" choices={statusChoices(MOVE_OUT_STATUSES)} alwaysOn />,
];

export function MoveOutList() {
    const small = useMediaQuery((theme) => theme.breakpoints.down('sm'));
    const translate = useTranslate();
    return (
        <List filters={filters} sort={{ field: 'submitted_at', order: 'DESC' }} perPage={25}>
            {small ? (
                <SimpleList
                    primaryText={(record) => `${record.reference} · ${record.contract_number}`}
                    secondaryText={(record) => record.address}
                    tertiaryText={(record) => translate(`moves.status.${record.status}`)}
                    linkType="show"
                />
            ) : (
                <Datagrid rowClick="show" bulkActionButtons={false}>
                    <TextField source="reference" sortable={false} />
                    <TextField source="contract_number" sortable={false} />
                    <TextField source="address" sortable={false} />
                    <DateField source="move_out_date" />
                    <FunctionField source="status" render={(record) => <StatusChip status={record.status} />} />
                    <DateField source="submitted_at" showTime />
                </Datagrid>
            )}
        </List>
    );
}

/** Today in the browser's calendar, as YYYY-MM-DD (the API decides; this only words the button). */
function today() {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, '0');
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function MoveOutActions() {
    const record = useRecordContext();
    const mayDecide = useMayDecide();
    const translate = useTranslate();
    if (!record || !mayDecide) return <TopToolbar />;
    const future = record.move_out_date >= today();
    return (
        <TopToolbar sx={{ flexWrap: 'wrap', gap: 1 }}>
            {record.status === 'submitted' && (
                <ActionButton
                    action="process"
                    label={future ? 'moves.move_out.schedule' : 'moves.move_out.process'}
                    success={future ? 'moves.move_out.scheduled' : 'moves.move_out.processed'}
                    variant="contained"
                    confirm={{
                        title: future ? 'moves.move_out.schedule' : 'moves.move_out.process',
                        content: translate(future ? 'moves.move_out.schedule_content' : 'moves.move_out.process_content', {
                            date: record.move_out_date,
                        }),
                    }}
                />
            )}
            {['submitted', 'correction'].includes(record.status) && (
                <ReasonButton
                    action="reject"
                    label="moves.reject"
                    title="moves.reject_title"
                    help="moves.reject_help"
                    success="moves.rejected"
                />
            )}
            {['submitted', 'scheduled', 'correction'].includes(record.status) && (
                <ReasonButton
                    action="cancel"
                    label="moves.move_out.cancel"
                    title="moves.move_out.cancel_title"
                    help="moves.move_out.cancel_help"
                    success="moves.move_out.cancelled"
                />
            )}
        </TopToolbar>
    );
}

function ForwardingAddress() {
    const record = useRecordContext();
    const address = record?.forwarding_address || {};
    const line = [
        [address.street, address.house_number, address.box].filter(Boolean).join(' '),
        [address.postal_code, address.city].filter(Boolean).join(' '),
        address.country,
    ]
        .filter(Boolean)
        .join(', ');
    return <span>{line || '—'}</span>;
}

function MoveOutReadings() {
    const record = useRecordContext();
    if (!record) return null;
    return (
        <Section title="moves.final_readings">
            <ReadingsTable rows={record.readings || []} photos={record.photos || []} />
            <RefusedReadings rows={record.readings_to_correct} title="moves.to_correct" />
            {record.status !== 'correction' && <RefusedReadings rows={record.readings_refused} title="moves.refused" />}
        </Section>
    );
}

export function MoveOutShow() {
    return (
        <Show actions={<MoveOutActions />}>
            <SimpleShowLayout>
                <TextField source="reference" />
                <FunctionField source="status" render={(record) => <StatusChip status={record.status} />} />
                <ReferenceField source="customer" reference="customers" link="show">
                    <TextField source="customer_number" />
                </ReferenceField>
                <TextField source="contract_number" />
                <TextField source="address" />
                <DateField source="move_out_date" />
                <FunctionField source="forwarding_address" render={() => <ForwardingAddress />} />
                <DateField source="submitted_at" showTime />
                <DateField source="decided_at" showTime emptyText="—" />
                <DateField source="completed_at" showTime emptyText="—" />
                <TextField source="rejection_reason" emptyText="—" />
                <DateField source="cancelled_at" showTime emptyText="—" />
                <TextField source="cancellation_reason" emptyText="—" />
                <Box>
                    <MoveOutReadings />
                </Box>
            </SimpleShowLayout>
        </Show>
    );
}
