// The organisation's own logo and colours (configuration/general): what the portal uses while
// "use the organisation's logo/colours" is on, and what the console's header shows.
import { useState } from 'react';
import { BooleanInput, FileInput, useDataProvider, useNotify, useTranslate } from 'react-admin';
import { Box, Typography } from '@mui/material';
import { saveConfiguration, useConfiguration } from './api.js';
import SettingsForm, { pendingView } from './SettingsForm.jsx';
import ColourInput from './ColourInput.jsx';
import FilePreview from './FilePreview.jsx';
import { GENERAL_SETTINGS, preferencesBody, warningsByField } from './payload.js';

export default function OrganisationForm() {
    const translate = useTranslate();
    const notify = useNotify();
    const dataProvider = useDataProvider();
    const [general, setGeneral] = useConfiguration('general');
    const [warnings, setWarnings] = useState({});
    const pending = pendingView(general);
    if (pending) return pending;

    // The API's field errors show beside their fields without the "invalid form" notification.
    const save = (values) =>
        saveConfiguration({
            dataProvider,
            notify,
            name: 'general',
            body: preferencesBody(values, general, GENERAL_SETTINGS),
            onSaved: (json) => {
                setGeneral(json);
                setWarnings(warningsByField(json.warnings));
            },
            reportInvalid: false,
        });
    return (
        <SettingsForm record={{ ...general, id: 'general' }} onSubmit={save}>
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
        </SettingsForm>
    );
}
