// How residents pay an open invoice (configuration/payment): the account holder, IBAN and BIC for
// the transfer and its QR code, the payment reference's scheme, and the payment provider's page
// behind "Pay now". Only what changed is sent; every refusal of the API shows beside its field.
import { SelectInput, TextInput, required, useDataProvider, useNotify, useTranslate } from 'react-admin';
import { Typography } from '@mui/material';
import { saveConfiguration, useConfiguration } from './api.js';
import SettingsForm, { pendingView } from './SettingsForm.jsx';
import IbanInput from './IbanInput.jsx';
import { REFERENCE_SCHEMES, paymentChanges, paymentRecord, placeholderList } from './payment.js';

const P = (name) => `preferences.payment.${name}`;

export default function PaymentForm() {
    const translate = useTranslate();
    const notify = useNotify();
    const dataProvider = useDataProvider();
    const [settings, setSettings] = useConfiguration('payment');
    const pending = pendingView(settings);
    if (pending) return pending;

    const save = (values) =>
        saveConfiguration({
            dataProvider,
            notify,
            name: 'payment',
            body: paymentChanges(values, settings),
            onSaved: setSettings,
            saved: P('saved'),
            unchanged: P('unchanged'),
        });
    const placeholders = placeholderList(settings.placeholders || []);
    return (
        <SettingsForm record={paymentRecord(settings)} onSubmit={save}>
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
        </SettingsForm>
    );
}
