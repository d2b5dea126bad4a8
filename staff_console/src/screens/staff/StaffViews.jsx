// Staff list (search, role/status filters, ordering), invite form, edit form with the actions.
import {
    BooleanField,
    BooleanInput,
    Create,
    Datagrid,
    DateField,
    Edit,
    EmailField,
    FunctionField,
    Labeled,
    List,
    SaveButton,
    SearchInput,
    SelectField,
    SelectInput,
    SimpleForm,
    SimpleList,
    TextField,
    TextInput,
    Toolbar,
    email,
    required,
    useDelete,
    useNotify,
    useRecordContext,
    useRedirect,
    useTranslate,
    useUpdate,
} from 'react-admin';
import { Box, useMediaQuery } from '@mui/material';
import ActionButton from '../../components/ActionButton.jsx';
import ConfirmButton from '../../components/ConfirmButton.jsx';

export const ROLES = [
    { id: 'admin', name: 'console.role.admin' },
    { id: 'staff', name: 'console.role.staff' },
    { id: 'support', name: 'console.role.support' },
];
const STATUSES = [
    { id: 'invited', name: 'staff.status.invited' },
    { id: 'active', name: 'staff.status.active' },
    { id: 'disabled', name: 'staff.status.disabled' },
];
const LANGUAGES = [
    { id: 'en', name: 'English' },
    { id: 'nl', name: 'Nederlands' },
    { id: 'fr', name: 'Français' },
];

const filters = [
    <SearchInput key="q" source="q" alwaysOn />,
    <SelectInput key="role" source="role" choices={ROLES} alwaysOn />,
    <SelectInput key="status" source="status" choices={STATUSES} alwaysOn />,
];

export function StaffList() {
    const small = useMediaQuery((theme) => theme.breakpoints.down('sm'));
    const translate = useTranslate();
    return (
        <List filters={filters} sort={{ field: 'email', order: 'ASC' }} perPage={25}>
            {small ? (
                <SimpleList
                    primaryText={(record) => record.full_name || record.email}
                    secondaryText={(record) => record.email}
                    tertiaryText={(record) => translate(`staff.status.${record.status}`)}
                    linkType="edit"
                />
            ) : (
                <Datagrid rowClick="edit" bulkActionButtons={false}>
                    <EmailField source="email" />
                    <TextField source="full_name" />
                    <SelectField source="role" choices={ROLES} />
                    <BooleanField source="can_impersonate" sortable={false} />
                    <SelectField source="status" choices={STATUSES} />
                    <DateField source="invited_at" />
                    <DateField source="accepted_at" />
                </Datagrid>
            )}
        </List>
    );
}

export function StaffCreate() {
    const translate = useTranslate();
    return (
        <Create title={translate('staff.invite')} redirect="list">
            <SimpleForm>
                <TextInput source="email" type="email" validate={[required(), email()]} fullWidth />
                <TextInput source="full_name" fullWidth />
                <SelectInput source="role" choices={ROLES} defaultValue="staff" validate={required()} />
                <BooleanInput source="can_impersonate" defaultValue={false} />
                <SelectInput source="language" choices={LANGUAGES} translateChoice={false} />
            </SimpleForm>
        </Create>
    );
}

function StatusActions() {
    const record = useRecordContext();
    const translate = useTranslate();
    const notify = useNotify();
    const redirect = useRedirect();
    const [update] = useUpdate();
    const [remove] = useDelete();
    if (!record) return null;
    const setStatus = (status) =>
        new Promise((resolve) =>
            update(
                'staff',
                { id: record.id, data: { status }, previousData: record },
                {
                    onSuccess: () => {
                        notify('ra.notification.updated', { messageArgs: { smart_count: 1 } });
                        resolve();
                    },
                    onError: (error) => {
                        notify(error?.message || 'ra.notification.http_error', { type: 'error' });
                        resolve();
                    },
                },
            ),
        );
    if (record.status === 'invited') {
        return (
            <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                <ActionButton action="resend-invitation" label="staff.resend" success="staff.resent" />
                <ConfirmButton
                    label="staff.revoke"
                    content={translate('staff.revoke_content')}
                    color="error"
                    confirmColor="warning"
                    onConfirm={() =>
                        new Promise((resolve) =>
                            remove(
                                'staff',
                                { id: record.id, previousData: record },
                                {
                                    onSuccess: () => {
                                        notify('staff.revoked');
                                        redirect('list', 'staff');
                                        resolve();
                                    },
                                    onError: (error) => {
                                        notify(error?.message || 'ra.notification.http_error', { type: 'error' });
                                        resolve();
                                    },
                                },
                            ),
                        )
                    }
                />
            </Box>
        );
    }
    if (record.status === 'active') {
        return (
            <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                <ActionButton
                    action="log-out-everywhere"
                    label="staff.log_out_everywhere"
                    success="staff.logged_out"
                    confirm={{ title: 'staff.log_out_everywhere', content: translate('staff.log_out_content') }}
                />
                <ConfirmButton
                    label="staff.disable"
                    content={translate('staff.disable_content')}
                    color="error"
                    confirmColor="warning"
                    onConfirm={() => setStatus('disabled')}
                />
            </Box>
        );
    }
    return <ConfirmButton label="staff.enable" onConfirm={() => setStatus('active')} />;
}

function EditToolbar() {
    return (
        <Toolbar sx={{ display: 'flex', justifyContent: 'space-between', flexWrap: 'wrap', gap: 1 }}>
            <SaveButton />
            <StatusActions />
        </Toolbar>
    );
}

export function StaffEdit() {
    return (
        <Edit
            mutationMode="pessimistic"
            redirect={false}
            transform={(data) => ({ role: data.role, can_impersonate: data.can_impersonate })}
        >
            <SimpleForm toolbar={<EditToolbar />}>
                <Labeled>
                    <TextField source="email" />
                </Labeled>
                <Labeled>
                    <FunctionField source="status" render={(record) => <StatusLabel status={record.status} />} />
                </Labeled>
                <SelectInput source="role" choices={ROLES} validate={required()} />
                <BooleanInput source="can_impersonate" />
            </SimpleForm>
        </Edit>
    );
}

function StatusLabel({ status }) {
    const translate = useTranslate();
    return <span>{translate(`staff.status.${status}`)}</span>;
}
