// Organisations of the platform: search by name, slug or domain, filter by status, ordering.
import {
    CreateButton,
    Datagrid,
    DateField,
    ExportButton,
    List,
    SearchInput,
    SelectField,
    SelectInput,
    SimpleList,
    TextField,
    TopToolbar,
    useTranslate,
} from 'react-admin';
import { useMediaQuery } from '@mui/material';
import { STATUSES } from './choices.js';

function filters(translate) {
    return [
        <SearchInput
            key="q"
            source="q"
            alwaysOn
            placeholder={translate('operators.search')}
            inputProps={{ 'aria-label': translate('operators.search') }}
        />,
        <SelectInput key="status" source="status" choices={STATUSES} alwaysOn />,
    ];
}

function Actions() {
    return (
        <TopToolbar>
            <CreateButton label="operators.onboard.title" />
            <ExportButton />
        </TopToolbar>
    );
}

export default function OrganisationList() {
    const small = useMediaQuery((theme) => theme.breakpoints.down('sm'));
    const translate = useTranslate();
    return (
        <List filters={filters(translate)} actions={<Actions />} sort={{ field: 'name', order: 'ASC' }} perPage={25}>
            {small ? (
                <SimpleList
                    primaryText={(record) => record.name}
                    secondaryText={(record) => record.primary_domain}
                    tertiaryText={(record) => translate(`operators.status.${record.status}`)}
                    linkType="show"
                />
            ) : (
                <Datagrid rowClick="show" bulkActionButtons={false}>
                    <TextField source="name" />
                    <TextField source="slug" />
                    <TextField source="primary_domain" sortable={false} />
                    <SelectField source="status" choices={STATUSES} />
                    <DateField source="created_at" />
                </Datagrid>
            )}
        </List>
    );
}
