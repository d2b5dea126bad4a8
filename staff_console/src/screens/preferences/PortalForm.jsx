// The portal's preferences (portal-preferences.txt): branding, contact, advance payments, invoices.
// One Save sends the changes to configuration/preferences (multipart with a logo or favicon) and
// the minimum advance to configuration/billing; every error the API gives shows beside its field.
import { useState } from 'react';
import {
    BooleanInput,
    FileInput,
    FormDataConsumer,
    NumberInput,
    RadioButtonGroupInput,
    TextInput,
    useDataProvider,
    useNotify,
    useTranslate,
} from 'react-admin';
import { Box, Chip, Link, Typography } from '@mui/material';
import { Link as RouterLink } from 'react-router-dom';
import { fetchConfiguration, fieldErrors, notifyFailure, patchConfiguration, useLoaded } from './api.js';
import SettingsForm, { Section, pendingView } from './SettingsForm.jsx';
import ColourInput from './ColourInput.jsx';
import FilePreview from './FilePreview.jsx';
import { preferencesBody, warningsByField } from './payload.js';

const F = (name) => `preferences.fields.${name}`;
const H = (name) => `preferences.help.${name}`;

function CurrentImage({ url, label }) {
    const translate = useTranslate();
    if (!url) return null;
    return (
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mb: 1 }}>
            <Typography variant="body2">{translate(H('current_file'))}:</Typography>
            <Box component="img" src={url} alt={translate(label)} sx={{ height: 40, maxWidth: 200, objectFit: 'contain' }} />
        </Box>
    );
}

/** The portal's preferences, its billing settings (the minimum advance) and the organisation's
 * branding (what "use the organisation's logo/colours" shows), loaded together. */
function usePreferences() {
    return useLoaded(async (dataProvider) => {
        const [portal, billing, general] = await Promise.all(
            ['preferences', 'billing', 'general'].map((name) => fetchConfiguration(dataProvider, name)),
        );
        return { portal, billing, general };
    });
}

function BrandingFields({ portal, general, warnings }) {
    const translate = useTranslate();
    return (
        <Section title="preferences.sections.branding">
            <BooleanInput source="use_organisation_logo" label={F('use_organisation_logo')} helperText={false} />
            <FormDataConsumer>
                {({ formData }) =>
                    formData.use_organisation_logo ? (
                        <Typography variant="body2" sx={{ mb: 1 }}>
                            {translate(H('organisation_logo'))}
                        </Typography>
                    ) : (
                        <>
                            <CurrentImage url={portal.logo_url} label={F('logo')} />
                            <FileInput
                                source="logo"
                                label={F('logo')}
                                helperText={H('logo')}
                                inputProps={{ 'aria-label': translate(F('logo')) }}
                                accept={{ 'image/png': ['.png'], 'image/jpeg': ['.jpg', '.jpeg'], 'image/svg+xml': ['.svg'] }}
                                placeholder={<p>{translate(H('drop'))}</p>}
                            >
                                <FilePreview />
                            </FileInput>
                            {portal.logo_url ? <BooleanInput source="remove_logo" label={F('remove_logo')} helperText={false} /> : null}
                        </>
                    )
                }
            </FormDataConsumer>
            <CurrentImage url={portal.favicon_url} label={F('favicon')} />
            <FileInput
                source="favicon"
                label={F('favicon')}
                helperText={H('favicon')}
                inputProps={{ 'aria-label': translate(F('favicon')) }}
                placeholder={<p>{translate(H('drop'))}</p>}
            >
                <FilePreview />
            </FileInput>
            {portal.favicon_url ? <BooleanInput source="remove_favicon" label={F('remove_favicon')} helperText={false} /> : null}
            <BooleanInput source="use_organisation_colours" label={F('use_organisation_colours')} helperText={false} />
            <FormDataConsumer>
                {({ formData }) =>
                    formData.use_organisation_colours ? (
                        <Typography variant="body2" sx={{ mb: 1 }}>
                            {translate(H('organisation_colours'), {
                                primary: general.primary_colour,
                                secondary: general.secondary_colour,
                            })}
                        </Typography>
                    ) : (
                        <>
                            <ColourInput
                                source="primary_colour"
                                label={F('primary_colour')}
                                helperText={H('primary_colour')}
                                warnings={warnings.primary_colour}
                            />
                            <ColourInput
                                source="secondary_colour"
                                label={F('secondary_colour')}
                                helperText={H('secondary_colour')}
                                warnings={warnings.secondary_colour}
                            />
                        </>
                    )
                }
            </FormDataConsumer>
        </Section>
    );
}

function AdvanceFields() {
    const translate = useTranslate();
    return (
        <Section title="preferences.sections.advance">
            <BooleanInput source="advance_changes_allowed" label={F('advance_changes_allowed')} helperText={false} />
            <FormDataConsumer>
                {({ formData }) =>
                    formData.advance_changes_allowed ? (
                        <>
                            <RadioButtonGroupInput
                                source="advance_range"
                                label={F('advance_range')}
                                choices={[
                                    { id: 'fixed', name: 'preferences.choices.fixed' },
                                    { id: 'percentage', name: 'preferences.choices.percentage' },
                                ]}
                                helperText={H('advance_base')}
                            />
                            {formData.advance_range === 'fixed' ? (
                                <NumberInput source="advance_fixed_amount" label={F('advance_fixed_amount')} step={1} min={0} />
                            ) : (
                                <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
                                    <NumberInput
                                        source="advance_min_percentage"
                                        label={F('advance_min_percentage')}
                                        helperText={H('advance_percentage')}
                                    />
                                    <NumberInput source="advance_max_percentage" label={F('advance_max_percentage')} />
                                </Box>
                            )}
                        </>
                    ) : null
                }
            </FormDataConsumer>
            <NumberInput source="minimum_advance_amount" label={F('minimum_advance_amount')} helperText={H('advance_minimum')} min={0} />
            <Typography variant="body2">{translate(H('pro_forma'))}</Typography>
        </Section>
    );
}

function InvoiceFields({ costAvailable }) {
    return (
        <Section title="preferences.sections.invoices">
            <BooleanInput source="invoices_visible" label={F('invoices_visible')} helperText={false} />
            <BooleanInput source="payment_status_visible" label={F('payment_status_visible')} helperText={H('payment_status')} />
            {costAvailable ? (
                <BooleanInput source="cost_visualisation" label={F('cost_visualisation')} helperText={H('cost_visualisation')} />
            ) : null}
        </Section>
    );
}

export default function PortalForm() {
    const translate = useTranslate();
    const notify = useNotify();
    const dataProvider = useDataProvider();
    const [state, setState] = usePreferences();
    const [warnings, setWarnings] = useState({});
    const pending = pendingView(state);
    if (pending) return pending;
    const { portal, billing, general } = state;
    const record = { ...portal, minimum_advance_amount: billing.minimum_advance_amount, id: 'current' };

    const save = async (values) => {
        const errors = {};
        let saved = portal;
        let savedBilling = billing;
        const body = preferencesBody(values, portal);
        if (body instanceof FormData || Object.keys(body).length) {
            try {
                saved = await patchConfiguration(dataProvider, 'preferences', body);
            } catch (error) {
                if (!fieldErrors(error)) {
                    notifyFailure(notify, error);
                    return undefined;
                }
                Object.assign(errors, fieldErrors(error));
            }
        }
        if (Number(values.minimum_advance_amount) !== Number(billing.minimum_advance_amount)) {
            try {
                savedBilling = await patchConfiguration(dataProvider, 'billing', {
                    minimum_advance_amount: values.minimum_advance_amount ?? '',
                });
            } catch (error) {
                Object.assign(errors, fieldErrors(error) || { minimum_advance_amount: error?.message });
            }
        }
        if (Object.keys(errors).length) {
            notify('ra.message.invalid_form', { type: 'error' });
            return errors;
        }
        setWarnings(warningsByField(saved.warnings));
        setState({ ...state, portal: saved, billing: savedBilling });
        notify('preferences.saved', { type: 'success' });
        return undefined;
    };

    return (
        <SettingsForm record={record} onSubmit={save}>
            <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mb: 1 }}>
                <Typography variant="body1">{translate('preferences.status.label')}:</Typography>
                <Chip
                    size="small"
                    color={portal.portal_status === 'active' ? 'success' : 'default'}
                    label={translate(`preferences.status.${portal.portal_status === 'active' ? 'active' : 'inactive'}`)}
                />
            </Box>
            <BrandingFields portal={portal} general={general} warnings={warnings} />
            <Section title="preferences.sections.contact">
                <TextInput source="support_email" label={F('support_email')} type="email" fullWidth />
                <TextInput source="support_phone" label={F('support_phone')} fullWidth />
                <TextInput source="website" label={F('website')} fullWidth />
                <TextInput source="terms_url" label={F('terms_url')} fullWidth />
                <TextInput source="privacy_url" label={F('privacy_url')} fullWidth />
            </Section>
            <AdvanceFields />
            <InvoiceFields costAvailable={portal.cost_visualisation_available} />
            <Section title="preferences.sections.emails">
                <Typography variant="body2">
                    {translate(H('emails'))}{' '}
                    <Link component={RouterLink} to="/preferences/emails">
                        {translate('preferences.emails.title')}
                    </Link>
                </Typography>
            </Section>
        </SettingsForm>
    );
}
