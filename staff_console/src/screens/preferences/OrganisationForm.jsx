// The organisation's own logo and colours (configuration/general): what the portal uses while
// "use the organisation's logo/colours" is on, and what the console's header shows.
import { useEffect, useState } from 'react';
import {
    BooleanInput,
    FileInput,
    Loading,
    SaveButton,
    SimpleForm,
    Toolbar,
    useDataProvider,
    useNotify,
    useTranslate,
} from 'react-admin';
import { Box, Typography } from '@mui/material';
import { CONFIGURATION } from './api.js';
import ColourInput from './ColourInput.jsx';
import FilePreview from './FilePreview.jsx';
import { GENERAL_SETTINGS, preferencesBody, warningsByField } from './payload.js';

export default function OrganisationForm() {
    const translate = useTranslate();
    const notify = useNotify();
    const dataProvider = useDataProvider();
    const [general, setGeneral] = useState(null);
    const [warnings, setWarnings] = useState({});
    useEffect(() => {
        dataProvider
            .fetchJson(`${CONFIGURATION}general/`)
            .then(({ json }) => setGeneral(json))
            .catch((error) => setGeneral({ error }));
    }, [dataProvider]);
    if (!general) return <Loading />;
    if (general.error) return <Typography role="alert">{general.error.message}</Typography>;

    const save = async (values) => {
        const body = preferencesBody(values, general, GENERAL_SETTINGS);
        try {
            const { json } = await dataProvider.fetchJson(`${CONFIGURATION}general/`, { method: 'PATCH', body });
            setGeneral(json);
            setWarnings(warningsByField(json.warnings));
            notify('preferences.saved', { type: 'success' });
            return undefined;
        } catch (error) {
            if (error?.body?.errors && Object.keys(error.body.errors).length) return error.body.errors;
            notify(error?.message || 'ra.notification.http_error', { type: 'error' });
            return undefined;
        }
    };
    return (
        <SimpleForm
            record={{ ...general, id: 'general' }}
            onSubmit={save}
            toolbar={
                <Toolbar>
                    <SaveButton alwaysEnable />
                </Toolbar>
            }
            sx={{ maxWidth: 720 }}
        >
            <Typography variant="body2" sx={{ mb: 1 }}>
                {translate('preferences.organisation.intro')}
            </Typography>
            {general.logo_url ? (
                <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mb: 1 }}>
                    <Typography variant="body2">{translate('preferences.help.current_file')}:</Typography>
                    <Box
                        component="img"
                        src={general.logo_url}
                        alt={translate('preferences.organisation.logo')}
                        sx={{ height: 40, maxWidth: 200, objectFit: 'contain' }}
                    />
                </Box>
            ) : null}
            <FileInput
                source="logo"
                label="preferences.organisation.logo"
                helperText="preferences.help.logo"
                inputProps={{ 'aria-label': translate('preferences.organisation.logo') }}
                accept={{ 'image/png': ['.png'], 'image/jpeg': ['.jpg', '.jpeg'], 'image/svg+xml': ['.svg'] }}
                placeholder={<p>{translate('preferences.help.drop')}</p>}
            >
                <FilePreview />
            </FileInput>
            {general.logo_url ? (
                <BooleanInput source="remove_logo" label="preferences.organisation.remove_logo" helperText={false} />
            ) : null}
            <ColourInput
                source="primary_colour"
                label="preferences.fields.primary_colour"
                helperText="preferences.help.primary_colour"
                warnings={warnings.primary_colour}
            />
            <ColourInput
                source="secondary_colour"
                label="preferences.fields.secondary_colour"
                helperText="preferences.help.secondary_colour"
                warnings={warnings.secondary_colour}
            />
        </SimpleForm>
    );
}
