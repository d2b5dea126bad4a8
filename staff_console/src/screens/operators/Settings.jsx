// The organisation's name, portal status (an inactive portal keeps its staff console and API),
// default language and time zone: PATCH organisations/<slug>/ with the form's values.
import {
    SaveButton,
    SelectInput,
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
import { Box, Typography } from '@mui/material';
import { LANGUAGES, PORTAL_STATUSES, fieldErrors } from './choices.js';

export default function Settings() {
    const record = useRecordContext();
    const translate = useTranslate();
    const notify = useNotify();
    const refresh = useRefresh();
    const dataProvider = useDataProvider();
    if (!record) return null;
    const submit = async (values) => {
        const { name, portal_status, default_language, time_zone } = values;
        try {
            await dataProvider.update('organisations', {
                id: record.id,
                data: { name, portal_status, default_language, time_zone },
                previousData: record,
            });
        } catch (error) {
            const errors = fieldErrors(error);
            if (errors) return errors;
            notify(error?.message || 'ra.notification.http_error', { type: 'error' });
            return undefined;
        }
        notify('ra.notification.updated', { type: 'success', messageArgs: { smart_count: 1 } });
        refresh();
        return undefined;
    };
    return (
        <Box component="section" aria-labelledby="settings-title" sx={{ mb: 3 }}>
            <Typography id="settings-title" variant="h6" component="h2">
                {translate('operators.settings')}
            </Typography>
            <SimpleForm
                record={record}
                onSubmit={submit}
                resource="organisations"
                toolbar={
                    <Toolbar>
                        <SaveButton alwaysEnable />
                    </Toolbar>
                }
            >
                <TextInput source="name" validate={required()} fullWidth />
                <SelectInput source="portal_status" choices={PORTAL_STATUSES} validate={required()} />
                <SelectInput source="default_language" choices={LANGUAGES} validate={required()} />
                <TextInput source="time_zone" validate={required()} />
            </SimpleForm>
        </Box>
    );
}
