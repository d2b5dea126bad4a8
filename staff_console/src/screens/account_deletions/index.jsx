// Account deletions: residents' requests to delete their portal account (issue 19), newest first,
// filtered by status; one request with its dates, reason and what the deletion removed. Staff and
// administrators may cancel one that waits for the resident's confirmation; nobody deletes from here.
import {
    Datagrid,
    DateField,
    FunctionField,
    List,
    Resource,
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
import { useMediaQuery } from '@mui/material';
import PersonOffIcon from '@mui/icons-material/PersonOff';
import ActionButton from '../../components/ActionButton.jsx';
import StatusChip from '../../components/StatusChip.jsx';
import { useMayDecide } from '../../components/permissions.js';
import messages from './messages.js';

const STATUSES = ['pending', 'completed', 'cancelled', 'expired'];

function statusChoices(translate) {
    return STATUSES.map((id) => ({ id, name: translate(`account_deletions.status.${id}`) }));
}

function Status({ record }) {
    return <StatusChip status={record?.status} messages="account_deletions.status" />;
}

function DeletionFilters() {
    const translate = useTranslate();
    return [
        <SearchInput key="q" source="q" alwaysOn />,
        <SelectInput key="status" source="status" choices={statusChoices(translate)} alwaysOn />,
    ];
}

export function DeletionList() {
    const small = useMediaQuery((theme) => theme.breakpoints.down('sm'));
    const translate = useTranslate();
    return (
        <List filters={DeletionFilters()} sort={{ field: 'requested_at', order: 'DESC' }} perPage={25}>
            {small ? (
                <SimpleList
                    primaryText={(record) => `${record.customer_number} · ${record.customer_name}`}
                    secondaryText={(record) => translate(`account_deletions.status.${record.status}`)}
                    linkType="show"
                />
            ) : (
                <Datagrid rowClick="show" bulkActionButtons={false}>
                    <TextField source="customer_number" sortable={false} />
                    <TextField source="customer_name" sortable={false} />
                    <FunctionField source="status" render={(record) => <Status record={record} />} />
                    <DateField source="requested_at" showTime />
                    <DateField source="completed_at" showTime emptyText="—" sortable={false} />
                </Datagrid>
            )}
        </List>
    );
}

function Removed() {
    const record = useRecordContext();
    const translate = useTranslate();
    const entries = Object.entries(record?.removed || {});
    if (!entries.length) return <span>—</span>;
    return (
        <ul style={{ margin: 0, paddingLeft: '1.2em' }}>
            {entries.map(([kind, count]) => (
                <li key={kind}>
                    {translate(`account_deletions.removed_kinds.${kind}`, { _: kind })}: {count}
                </li>
            ))}
        </ul>
    );
}

function DeletionActions() {
    const record = useRecordContext();
    const mayCancel = useMayDecide();
    if (!record || record.status !== 'pending' || !mayCancel) return <TopToolbar />;
    return (
        <TopToolbar>
            <ActionButton
                action="cancel"
                label="account_deletions.cancel"
                success="account_deletions.cancelled"
                confirm={{ title: 'account_deletions.cancel', content: 'account_deletions.cancel_content' }}
            />
        </TopToolbar>
    );
}

export function DeletionShow() {
    return (
        <Show actions={<DeletionActions />}>
            <SimpleShowLayout>
                <TextField source="customer_number" />
                <TextField source="customer_name" />
                <FunctionField source="status" render={(record) => <Status record={record} />} />
                <TextField source="reason" emptyText="—" />
                <DateField source="requested_at" showTime />
                <DateField source="expires_at" showTime />
                <DateField source="completed_at" showTime emptyText="—" />
                <DateField source="cancelled_at" showTime emptyText="—" />
                <FunctionField
                    source="identity_deleted"
                    render={(record) => <IdentityNote record={record} />}
                />
                <FunctionField source="removed" render={() => <Removed />} />
            </SimpleShowLayout>
        </Show>
    );
}

function IdentityNote({ record }) {
    const translate = useTranslate();
    if (record?.status !== 'completed') return <span>—</span>;
    return <span>{translate(record.identity_deleted ? 'account_deletions.identity_gone' : 'account_deletions.identity_kept')}</span>;
}

export default {
    name: 'account_deletions',
    messages,
    resources: (permissions) =>
        permissions?.kind === 'organisation'
            ? [
                  <Resource
                      key="account-deletions"
                      name="account-deletions"
                      list={DeletionList}
                      show={DeletionShow}
                      icon={PersonOffIcon}
                      recordRepresentation="customer_number"
                  />,
              ]
            : [],
};
