// How residents pay an open invoice (configuration/payment): the account holder, IBAN and BIC for
// the transfer and its QR code, the payment reference's scheme, and the payment provider's page
// behind "Pay now". Only what changed is sent; every refusal of the API shows beside its field.
import { useEffect, useState } from 'react';
import {
    Loading,
    SaveButton,
    SelectInput,
    SimpleForm,
    TextInput,
    Toolbar,
    required,
    useDataProvider,
    useNotify,
    useTranslate,
} from 'react-admin';
import { Typography } from '@mui/material';
import { CONFIGURATION } from './api.js';
import IbanInput from './IbanInput.jsx';
import { REFERENCE_SCHEMES, paymentChanges, paymentRecord, placeholderList } from './payment.js';

const URL = `${CONFIGURATION}payment/`;
const P = (name) => `preferences.payment.${name}`;

function fieldErrors(error) {
    return error?.body?.errors && Object.keys(error.body.errors).length ? error.body.errors : null;
}

export default function PaymentForm() {
    const translate = useTranslate();
    const notify = useNotify();
    const dataProvider = useDataProvider();
    const [settings, setSettings] = useState(null);
    useEffect(() => {
        dataProvider
            .fetchJson(URL)
            .then(({ json }) => setSettings(json))
            .catch((error) => setSettings({ error }));
    }, [dataProvider]);
    if (!settings) return <Loading />;
    if (settings.error) return <Typography role="alert">{settings.error.message}</Typography>;

    const save = async (values) => {
        const body = paymentChanges(values, settings);
        if (!Object.keys(body).length) {
            notify(P('unchanged'), { type: 'info' });
            return undefined;
        }
        try {
            const { json } = await dataProvider.fetchJson(URL, { method: 'PATCH', body });
            setSettings(json);
            notify(P('saved'), { type: 'success' });
            return undefined;
        } catch (error) {
            if (fieldErrors(error)) {
                notify('ra.message.invalid_form', { type: 'error' });
                return fieldErrors(error);
            }
            notify(error?.message || 'ra.notification.http_error', { type: 'error' });
            return undefined;
        }
    };
    const placeholders = placeholderList(settings.placeholders || []);
    return (
        <SimpleForm
            record={paymentRecord(settings)}
            onSubmit={save}
            toolbar={
                <Toolbar>
                    <SaveButton alwaysEnable />
                </Toolbar>
            }
            sx={{ maxWidth: 720 }}
        >
            <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
                {translate(P('title'))}
            </Typography>
            <Typography variant="body2" sx={{ mb: 1 }}>
                {translate(P('intro'))}
            </Typography>
            <TextInput source="creditor_name" label={P('creditor_name')} helperText={P('creditor_name_help')} fullWidth />
            <IbanInput source="iban" label={P('iban')} helperText={P('iban_help')} />
            <TextInput
                source="bic"
                label={P('bic')}
                helperText={P('bic_help')}
                inputProps={{ maxLength: 20, spellCheck: false, autoCapitalize: 'characters', autoComplete: 'off' }}
                fullWidth
            />
            <SelectInput
                source="reference_scheme"
                label={P('reference_scheme')}
                helperText={P('reference_scheme_help')}
                choices={REFERENCE_SCHEMES.map((id) => ({ id, name: P(`schemes.${id}`) }))}
                validate={required()}
                fullWidth
                // The long scheme names wrap on a phone instead of widening the form.
                sx={{ '& .MuiSelect-select.MuiSelect-select': { whiteSpace: 'normal' } }}
            />
            <TextInput
                source="provider_url_template"
                label={P('provider_url_template')}
                helperText={translate(P('provider_url_template_help'), { placeholders })}
                placeholder="https://pay.example.com/?invoice={invoice_number}&amount={amount}"
                inputProps={{ spellCheck: false, autoComplete: 'off', inputMode: 'url' }}
                multiline
                fullWidth
            />
        </SimpleForm>
    );
}
